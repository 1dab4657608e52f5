using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Tests.Security;

public sealed class AuthorizationStartupTests
{
    [Test]
    public void Requiring_roles_without_platform_authentication_or_a_trusted_front_end_stops_start_up_naming_both()
    {
        using var host = FunctionsHost.Build(Settings(("Authorization:RequireRoles", "true")));

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(error!.Message, Does.Contain("WEBSITE_AUTH_ENABLED").And.Contain("Authorization:TrustedFrontEnd").And.Contain("Authorization:RequireRoles"));
    }

    [TestCase("WEBSITE_AUTH_ENABLED", "True")]
    [TestCase("Authorization:TrustedFrontEnd", "apim-contoso")]
    public void Requiring_roles_starts_when_something_trustworthy_sets_the_principal(string setting, string value)
    {
        using var host = FunctionsHost.Build(Settings(("Authorization:RequireRoles", "true"), (setting, value)));

        Assert.DoesNotThrow(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
    }

    [Test]
    public void Platform_authentication_switched_off_does_not_count()
    {
        using var host = FunctionsHost.Build(Settings(("Authorization:RequireRoles", "true"), ("WEBSITE_AUTH_ENABLED", "False")));

        Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
    }

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["KeyVault:VaultUri"] = "https://127.0.0.1:1/",
            ["Defender:Endpoint"] = "https://127.0.0.1:2/",
            ["Azure:Credential"] = "Simulator",
            ["LocalDevelopment:TrustLoopbackCertificates"] = "true",
            ["ServiceNow:AllowPrivateAddresses"] = "true",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }
}
