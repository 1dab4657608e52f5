namespace DefenderSnow.Functions.Security;

/// <summary>Settings under <c>Authorization</c>: who may call the HTTP functions beyond the function key.</summary>
public sealed class AuthorizationOptions
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
}
