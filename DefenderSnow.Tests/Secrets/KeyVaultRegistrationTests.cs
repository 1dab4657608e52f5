using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Health;
using DefenderSnow.Core.Secrets;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Secrets;

/// <summary>Settings, registration, and the rule that only a loopback vault ever gets relaxed TLS or challenge checks.</summary>
public class KeyVaultRegistrationTests
{
    [TestCase(null)]
    [TestCase("")]
    [TestCase("kv.vault.azure.net")]
    [TestCase("http://kv.vault.azure.net/")]
    [TestCase("https://kv.vault.azure.net/secrets")]
    [TestCase("https://kv.vault.azure.net/?api-version=7.6")]
    public void A_missing_or_malformed_vault_uri_fails_start_up_naming_the_setting(string? vaultUri)
    {
        using var services = KeyVaultTestEnvironment.BuildServices(new Dictionary<string, string?> { ["KeyVault:VaultUri"] = vaultUri });

        Assert.That(KeyVaultTestEnvironment.StartupValidationError(services), Does.Contain("KeyVault:VaultUri"));
    }

    [Test]
    public void A_vault_uri_that_is_not_a_uri_at_all_fails_start_up_naming_the_setting()
    {
        using var services = KeyVaultTestEnvironment.BuildServices(new Dictionary<string, string?> { ["KeyVault:VaultUri"] = "https://[not-a-host/" });

        Assert.That(KeyVaultTestEnvironment.StartupValidationError(services), Does.Contain("KeyVault:VaultUri"));
    }

    [Test]
    public void A_valid_vault_registers_the_client_the_store_and_the_health_probe()
    {
        var vault = new Uri("https://kv-defendersnow.vault.azure.net/");
        using var services = KeyVaultTestEnvironment.BuildServices(vault);

        Assert.That(KeyVaultTestEnvironment.StartupValidationError(services), Is.Null);
        Assert.That(services.GetRequiredService<SecretClient>().VaultUri, Is.EqualTo(vault));
        Assert.That(services.GetRequiredService<ISecretStore>(), Is.InstanceOf<KeyVaultSecretStore>());
        Assert.That(services.GetServices<IHealthProbe>().OfType<KeyVaultHealthProbe>().Count(), Is.EqualTo(1));
    }

    [TestCase("https://kv-defendersnow.vault.azure.net/")]
    [TestCase("https://localhost.attacker.example/")]
    [TestCase("https://127.0.0.1.nip.io/")]
    [TestCase("https://vault.localhost/")]
    [TestCase("https://10.0.0.1/")]
    public void A_vault_that_is_not_on_a_loopback_address_keeps_every_check_even_when_loopback_certificates_are_trusted(string vaultUri)
    {
        var options = new SecretClientOptions();
        var defaultTransport = options.Transport;

        KeyVaultClientSetup.Configure(options, new Uri(vaultUri), trustLoopbackCertificates: true);

        Assert.That(options.DisableChallengeResourceVerification, Is.False);
        Assert.That(options.Transport, Is.SameAs(defaultTransport));
    }

    [TestCase("https://127.0.0.1:8443/")]
    [TestCase("https://localhost:8443/")]
    [TestCase("https://[::1]:8443/")]
    public void A_loopback_vault_gets_its_own_transport_and_no_challenge_resource_check(string vaultUri)
    {
        var options = new SecretClientOptions();

        KeyVaultClientSetup.Configure(options, new Uri(vaultUri), trustLoopbackCertificates: true);

        Assert.That(options.DisableChallengeResourceVerification, Is.True);
        Assert.That(options.Transport, Is.InstanceOf<HttpClientTransport>().And.Not.SameAs(new SecretClientOptions().Transport));
    }

    [Test]
    public async Task A_loopback_vault_with_trusted_loopback_certificates_works_end_to_end()
    {
        await using var simulator = await KeyVaultTestEnvironment.StartSimulatorAsync();
        await using var services = KeyVaultTestEnvironment.BuildServices(simulator.BaseUri, trustLoopbackCertificates: true);

        await services.GetRequiredService<ISecretStore>().SetAsync("0f8fad5bd9cb469fa16570867728950e", IntegrationSecret.Password, "v", CancellationToken.None);

        Assert.That(simulator.SecretNames(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_loopback_vault_without_trusted_loopback_certificates_fails_the_handshake()
    {
        await using var simulator = await KeyVaultTestEnvironment.StartSimulatorAsync();
        await using var services = KeyVaultTestEnvironment.BuildServices(simulator.BaseUri, trustLoopbackCertificates: false);

        Assert.ThrowsAsync<KeyVaultUnreachableException>(() => services.GetRequiredService<ISecretStore>()
            .GetAsync("0f8fad5bd9cb469fa16570867728950e", IntegrationSecret.Password, CancellationToken.None));
        Assert.That(simulator.RequestCount, Is.Zero);
    }
}
