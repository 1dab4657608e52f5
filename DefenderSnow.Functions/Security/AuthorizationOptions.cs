using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Functions.Security;

/// <summary>Settings under <c>Authorization</c>: who may call the HTTP functions beyond the function key.</summary>
public sealed class AuthorizationOptions : IValidatableObject
{
    public const string SectionName = "Authorization";

    /// <summary>The platform's own setting, <c>True</c> when App Service authentication is on for the app.</summary>
    public const string PlatformAuthenticationSetting = "WEBSITE_AUTH_ENABLED";

    /// <summary>
    /// Every endpoint but health requires the App Service authentication principal
    /// (<c>X-MS-CLIENT-PRINCIPAL</c>) with an app role (<see cref="AppRoles"/>).
    /// </summary>
    public bool RequireRoles { get; set; }

    /// <summary>
    /// Names the front end (for example an API Management instance) that strips and sets the principal
    /// headers when App Service authentication is not the one doing it. Declaring it is the operator's
    /// statement that those headers can be trusted.
    /// </summary>
    public string? TrustedFrontEnd { get; set; }

    /// <summary>
    /// Whether <see cref="PlatformAuthenticationSetting"/> is <c>True</c>: a setting outside the section, filled in at
    /// registration so the rule below needs nothing but these options.
    /// </summary>
    internal bool PlatformAuthentication { get; set; }

    /// <summary>
    /// Principal headers are only trustworthy when something in front of the app strips what a client sent and sets
    /// them itself; requiring roles without that would let any caller name its own roles.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RequireRoles && !PlatformAuthentication && string.IsNullOrWhiteSpace(TrustedFrontEnd))
        {
            yield return new ValidationResult(
                $"{SectionName}:{nameof(RequireRoles)} is on, but App Service authentication is not "
                + $"({PlatformAuthenticationSetting} is not 'True') and no {SectionName}:{nameof(TrustedFrontEnd)} "
                + "is declared: without one of them the principal headers are whatever a caller sends. Turn on App Service authentication, "
                + "or declare the front end that sets those headers.",
                [nameof(RequireRoles)]);
        }
    }
}

/// <summary>Checks the roles rule at start-up (generated code, no reflection).</summary>
[OptionsValidator]
internal sealed partial class AuthorizationOptionsValidation : IValidateOptions<AuthorizationOptions>;
