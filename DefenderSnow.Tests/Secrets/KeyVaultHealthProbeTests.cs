using DefenderSnow.Core.Health;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Simulators.KeyVault;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Secrets;

public class KeyVaultHealthProbeTests
{
    private KeyVaultSimulator _simulator = null!;

    [SetUp]
    public async Task StartAsync() => _simulator = await KeyVaultTestEnvironment.StartSimulatorAsync();

    [TearDown]
    public async Task StopAsync() => await _simulator.DisposeAsync();

    [Test]
    public async Task A_vault_that_answers_SecretNotFound_to_an_authorised_read_is_healthy()
    {
        await using var services = KeyVaultTestEnvironment.BuildServices(_simulator.BaseUri);
        var probe = services.GetServices<IHealthProbe>().OfType<KeyVaultHealthProbe>().Single();

        Assert.That(await probe.CheckAsync(CancellationToken.None), Is.True);
        Assert.That(probe.Name, Is.EqualTo("KeyVault"));
        Assert.That(_simulator.Requests[^1], Is.EqualTo(new KeyVaultRequest("GET", $"/secrets/{KeyVaultHealthProbe.SentinelSecretName}", true, 404)));
        Assert.That(_simulator.SecretNames(), Is.Empty);
    }

    [TestCase(KeyVaultTestFault.Forbidden)]
    [TestCase(KeyVaultTestFault.ServiceUnavailable)]
    [TestCase(KeyVaultTestFault.Down)]
    public async Task A_vault_that_refuses_or_fails_is_unhealthy_without_throwing(KeyVaultTestFault fault)
    {
        await using var services = KeyVaultTestEnvironment.BuildServices(_simulator.BaseUri);
        var probe = services.GetServices<IHealthProbe>().OfType<KeyVaultHealthProbe>().Single();
        KeyVaultTestEnvironment.InjectPersistent(_simulator, fault);

        Assert.That(await probe.CheckAsync(CancellationToken.None), Is.False);
    }

    [Test]
    public async Task A_vault_whose_certificate_is_not_trusted_is_unhealthy()
    {
        await using var services = KeyVaultTestEnvironment.BuildServices(_simulator.BaseUri, trustLoopbackCertificates: false);
        var probe = services.GetServices<IHealthProbe>().OfType<KeyVaultHealthProbe>().Single();

        Assert.That(await probe.CheckAsync(CancellationToken.None), Is.False);
        Assert.That(_simulator.RequestCount, Is.Zero);
    }
}
