using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Tests.Functions;

public sealed class CompositionTests
{
    /// <summary>Settings that compose and pass validation without starting anything.</summary>
    internal static Dictionary<string, string?> ValidSettings() => new()
    {
        ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        ["KeyVault:VaultUri"] = "https://127.0.0.1:1/",
        ["Defender:Endpoint"] = "https://127.0.0.1:2/",
        ["Azure:Credential"] = "Simulator",
        ["LocalDevelopment:TrustLoopbackCertificates"] = "true",
        ["ServiceNow:AllowPrivateAddresses"] = "true",
    };

    [Test]
    public void Every_function_class_resolves_from_the_real_composition()
    {
        using var host = FunctionsHost.Build(ValidSettings());

        var classes = FunctionsHost.FunctionClasses();

        Assert.That(classes, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (var type in classes)
            {
                Assert.DoesNotThrow(() => ActivatorUtilities.CreateInstance(host.Services, type), type.Name);
            }
        });
    }

    [Test]
    public void The_sample_local_settings_compose_and_pass_start_up_validation()
    {
        var sample = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Azurite.RepositoryRoot(), "local.settings.sample.json")))!;
        var settings = sample["Values"]!.AsObject().ToDictionary(v => v.Key.Replace("__", ":"), v => (string?)v.Value!.GetValue<string>());
        using var host = FunctionsHost.Build(settings);

        Assert.DoesNotThrow(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
        foreach (var type in FunctionsHost.FunctionClasses())
        {
            Assert.DoesNotThrow(() => ActivatorUtilities.CreateInstance(host.Services, type), type.Name);
        }
    }

    [Test]
    public void Valid_settings_pass_start_up_validation()
    {
        using var host = FunctionsHost.Build(ValidSettings());

        Assert.DoesNotThrow(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
    }

    [TestCase("Storage:ConnectionString", null, "Storage:TableServiceUri or Storage:ConnectionString")]
    [TestCase("Azure:Credential", "Telepathy", "Azure:Credential")]
    [TestCase("Storage:TablePrefix", "1bad", "Storage:TablePrefix")]
    [TestCase("SyncSchedule", "0 2 * * *", "SyncSchedule '0 2 * * *' is not an NCRONTAB expression with six fields")]
    [TestCase("SyncSchedule", "every night", "SyncSchedule 'every night'")]
    [TestCase("FullSyncEvery", "-1.00:00:00", "FullSyncEvery")]
    [TestCase("SyncIntegrationsQueue", "Sync_Integrations", "SyncIntegrationsQueue")]
    [TestCase("IntegrationDeletionsQueue", "ab", "IntegrationDeletionsQueue")]
    [TestCase("TicketEventsQueue", "Ticket--Events", "TicketEventsQueue")]
    [TestCase("Queues:SyncIntegrations", "sync-integrations", "name them SyncIntegrationsQueue")]
    [TestCase("TicketEvents:SecretGracePeriod", "-01:00:00", "TicketEvents:SecretGracePeriod")]
    [TestCase("TicketEvents:SecretGracePeriod", "31.00:00:00", "TicketEvents:SecretGracePeriod")]
    [TestCase("TicketEvents:CollapseDelay", "00:05:00", "TicketEvents:CollapseDelay")]
    public void A_missing_or_malformed_setting_stops_start_up_naming_it(string setting, string? value, string expectedInMessage)
    {
        var settings = ValidSettings();
        settings[setting] = value;
        using var host = FunctionsHost.Build(settings);

        var error = Assert.Catch(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(error!.ToString(), Does.Contain(expectedInMessage));
    }

    [Test]
    public void The_simulator_credential_is_refused_when_an_azure_endpoint_is_remote()
    {
        var settings = ValidSettings();
        settings["KeyVault:VaultUri"] = "https://contoso.vault.azure.net/";
        using var host = FunctionsHost.Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(error!.Message, Does.Contain("KeyVault:VaultUri"));
    }
}
