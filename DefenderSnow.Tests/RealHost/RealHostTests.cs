using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using DefenderSnow.Functions.Sync;
using DefenderSnow.Simulators.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Tests.RealHost;

/// <summary>
/// What only the real Functions host shows: which functions it indexes, the keys it enforces, the timer it runs,
/// and whether the app's log lines reach its log. One host for the fixture (it takes ~15 s to start).
/// </summary>
[TestFixture]
[Category("RealHost")]
[NonParallelizable]
public sealed class RealHostTests
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(60);
    private RealHostApp _app = null!;

    private RealFunctionsHost Host => _app.Host;

    [OneTimeSetUp]
    public async Task StartHost() => _app = await RealHostApp.StartAsync(CancellationToken.None);

    [OneTimeTearDown]
    public async Task StopHost()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Test]
    public async Task The_host_indexes_every_function_the_worker_declares()
    {
        var declared = typeof(SyncFunctions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => m.GetCustomAttribute<FunctionAttribute>()?.Name)
            .OfType<string>()
            .ToHashSet();
        using var request = RealFunctionsHost.Request(HttpMethod.Get, "admin/functions", RealFunctionsHost.MasterKey);
        using var response = await Host.Client.SendAsync(request);
        var indexed = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(f => f!["name"]!.GetValue<string>()).ToHashSet();

        Assert.That(declared, Has.Count.GreaterThan(20));
        Assert.That(indexed, Is.EquivalentTo(declared), Host.Output());
    }

    [Test]
    public async Task A_function_route_answers_401_without_its_key_and_200_with_it()
    {
        Assert.That(await StatusAsync("api/integrations", key: null), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await StatusAsync("api/integrations", key: "not-the-key"), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await StatusAsync("api/integrations", RealFunctionsHost.FunctionKey), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await StatusAsync("api/health", key: null), Is.EqualTo(HttpStatusCode.OK), "health is anonymous, for the platform's probe");
    }

    [Test]
    public async Task A_failing_health_probe_is_logged_in_the_host_log_naming_the_dependency()
    {
        _app.KeyVault.Faults.ForbidNext(SimulatorFaults.Always);
        try
        {
            Assert.That(await StatusAsync("api/health", key: null), Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }
        finally
        {
            _app.KeyVault.Faults.Clear();
        }

        var line = await Host.WaitForLineAsync(l => l.Contains("Health probe KeyVault failed", StringComparison.Ordinal), LineTimeout, CancellationToken.None);
        Assert.That(line, Is.Not.Null, "the app's warning reaches the host's log (worker logs through the host channel)\n" + Host.Output());
    }

    [Test]
    public async Task The_timer_function_runs_through_the_admin_API_and_logs_its_run_to_the_host()
    {
        Assert.That(await Host.RunFunctionAsync("SyncTimer", CancellationToken.None), Is.EqualTo(HttpStatusCode.Accepted));

        var line = await Host.WaitForLineAsync(l => l.Contains("started by Timer", StringComparison.Ordinal), LineTimeout, CancellationToken.None);
        Assert.That(line, Is.Not.Null, "the app's 'Sync run … started by Timer' line is in the host's log\n" + Host.Output());
        using var request = RealFunctionsHost.Request(HttpMethod.Get, "api/sync/runs", RealFunctionsHost.FunctionKey);
        using var runs = await Host.Client.SendAsync(request);
        var body = JsonNode.Parse(await runs.Content.ReadAsStringAsync())!;
        Assert.That(body["value"]!.AsArray().Select(r => r!["trigger"]!.GetValue<string>()), Has.Member("timer"), body.ToJsonString());
    }

    private async Task<HttpStatusCode> StatusAsync(string path, string? key)
    {
        using var request = RealFunctionsHost.Request(HttpMethod.Get, path, key);
        using var response = await Host.Client.SendAsync(request);
        return response.StatusCode;
    }
}
