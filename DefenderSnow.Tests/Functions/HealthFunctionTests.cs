using DefenderSnow.Functions.Health;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Simulators.KeyVault;
using DefenderSnow.Tests.Infrastructure;

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

    private static Task<FunctionResponse> CallAsync(TestApp app) =>
        FunctionCall.InvokeAsync(FunctionCall.Request("GET", "/api/health"), r => app.Function<HealthFunction>().Run(r, CancellationToken.None));

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
