using DefenderSnow.Core.Health;
using DefenderSnow.Functions.Health;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Simulators.KeyVault;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.Functions;

public sealed class HealthFunctionTests
{
    private static readonly string[] Status = ["status"];

    [Test]
    public async Task Healthy_when_table_storage_and_key_vault_answer()
    {
        await using var app = await TestApp.StartAsync();

        var response = await CallAsync(app);

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        Assert.That(response.Json["status"]!.GetValue<string>(), Is.EqualTo("healthy"));
    }

    [Test]
    public async Task Unhealthy_when_key_vault_refuses_and_the_body_says_no_more()
    {
        await using var app = await TestApp.StartAsync();
        app.KeyVault.Faults.ForbidNext(SimulatorFaults.Always);

        var response = await CallAsync(app);

        Assert.That(response.Status, Is.EqualTo(503), response.ToString());
        Assert.That(response.Json.AsObject().Select(p => p.Key), Is.EqualTo(Status));
        Assert.That(response.Body, Does.Not.Contain("KeyVault").And.Not.Contain("127.0.0.1"));
    }

    [Test]
    public async Task Unhealthy_when_table_storage_is_unreachable()
    {
        await using var app = await TestApp.StartAsync(settings =>
            settings["Storage:ConnectionString"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:{ClosedPort()}/devstoreaccount1;");

        var response = await CallAsync(app);

        Assert.That(response.Status, Is.EqualTo(503), response.ToString());
    }

    [Test]
    public async Task Unhealthy_when_the_queues_are_unreachable()
    {
        var storage = await Azurite.GetConnectionStringAsync();
        var queueless = System.Text.RegularExpressions.Regex.Replace(storage, "QueueEndpoint=[^;]*;", $"QueueEndpoint=http://127.0.0.1:{ClosedPort()}/devstoreaccount1;");
        Assert.That(queueless, Is.Not.EqualTo(storage), "the test connection string names a queue endpoint");
        await using var app = await TestApp.StartAsync(settings => settings["Storage:ConnectionString"] = queueless);

        var response = await CallAsync(app);

        Assert.That(response.Status, Is.EqualTo(503), response.ToString());
    }

    [Test]
    public async Task Liveness_answers_without_calling_any_dependency_even_when_key_vault_refuses()
    {
        await using var app = await TestApp.StartAsync();
        app.KeyVault.Faults.ForbidNext(SimulatorFaults.Always);
        app.KeyVault.ClearRequests();

        for (var i = 0; i < 5; i++)
        {
            var response = await FunctionCall.InvokeAsync(FunctionCall.Request("GET", "/api/health"), r => Task.FromResult(HealthFunction.Live(r)));
            Assert.That(response.Status, Is.EqualTo(200), response.ToString());
            Assert.That(response.Json["status"]!.GetValue<string>(), Is.EqualTo("alive"));
        }

        Assert.That(app.KeyVault.RequestCount, Is.Zero, "liveness touches nothing");
    }

    [Test]
    public async Task Readiness_checks_the_dependencies_once_per_interval_however_often_it_is_called()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TestApp.StartAsync(overrides: s => s.AddSingleton<TimeProvider>(clock));
        app.KeyVault.ClearRequests();

        for (var i = 0; i < 5; i++)
        {
            Assert.That((await CallAsync(app)).Status, Is.EqualTo(200));
        }

        var firstInterval = app.KeyVault.RequestCount;
        Assert.That(firstInterval, Is.GreaterThan(0), "the first call checks Key Vault");

        clock.Advance(HealthService.CacheFor - TimeSpan.FromSeconds(1));
        Assert.That((await CallAsync(app)).Status, Is.EqualTo(200));
        Assert.That(app.KeyVault.RequestCount, Is.EqualTo(firstInterval), "within the interval the answer is cached");

        clock.Advance(TimeSpan.FromSeconds(1));
        app.KeyVault.Faults.ForbidNext(SimulatorFaults.Always);
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await CallAsync(app)).Status, Is.EqualTo(503), "the interval passed: checked again, and Key Vault now refuses");
        }

        var afterExpiry = app.KeyVault.RequestCount;
        Assert.That(afterExpiry, Is.GreaterThan(firstInterval), "the interval passed, so Key Vault was asked again");
        Assert.That((await CallAsync(app)).Status, Is.EqualTo(503), "the failure is cached too");
        Assert.That(app.KeyVault.RequestCount, Is.EqualTo(afterExpiry), "one check for all calls of the second interval");
    }

    private static Task<FunctionResponse> CallAsync(TestApp app) =>
        FunctionCall.InvokeAsync(FunctionCall.Request("GET", "/api/health/ready"), r => app.Function<HealthFunction>().Ready(r, CancellationToken.None));

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
