using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Functions.Security;

/// <summary>
/// Principal headers are only trustworthy when something in front of the app strips what a client sent
/// and sets them itself; requiring roles without that would let any caller name its own roles.
/// </summary>
internal sealed class AuthorizationOptionsValidation : IValidateOptions<AuthorizationOptions>
{
    private readonly IConfiguration _configuration;

    public AuthorizationOptionsValidation(IConfiguration configuration)
    {
        _configuration = configuration;
    }

    public ValidateOptionsResult Validate(string? name, AuthorizationOptions options)
    {
        if (!options.RequireRoles)
        {
            return ValidateOptionsResult.Success;
        }

        var platformAuthentication = string.Equals(_configuration[AuthorizationOptions.PlatformAuthenticationSetting], "true", StringComparison.OrdinalIgnoreCase);
        if (platformAuthentication || !string.IsNullOrWhiteSpace(options.TrustedFrontEnd))
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(
            $"{AuthorizationOptions.SectionName}:{nameof(AuthorizationOptions.RequireRoles)} is on, but App Service authentication is not "
            + $"({AuthorizationOptions.PlatformAuthenticationSetting} is not 'True') and no {AuthorizationOptions.SectionName}:{nameof(AuthorizationOptions.TrustedFrontEnd)} "
            + "is declared: without one of them the principal headers are whatever a caller sends. Turn on App Service authentication, "
            + "or declare the front end that sets those headers.");
    }
}
