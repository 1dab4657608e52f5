using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using DefenderSnow.Functions.Sync;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Simulators.LocalRun;
using DefenderSnow.Tests.Walkthrough;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Tests.RealHost;

/// <summary>
/// What only the real Functions host shows: which functions it indexes, the keys it enforces, the timer it runs, how
/// its queue triggers deliver (poison, latency, each queue end to end), the README walkthrough with the key, and
/// whether the app's log lines reach its log. One host for the fixture (it takes ~15 s to start).
/// </summary>
[TestFixture]
[Category("RealHost")]
[NonParallelizable]
public sealed partial class RealHostTests
{
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan IdleBeforeLatency = TimeSpan.FromSeconds(26);
    private static readonly TimeSpan LatencyPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>The message's own handling (a poison copy and a log line) and the host's dispatch.</summary>
    private static readonly TimeSpan LatencyMargin = TimeSpan.FromSeconds(2);
    private const int MaxLatencyPolls = 60;

    /// <summary>The bound held for a message put on an idle queue: "within seconds" (README, Settings), whatever host.json says.</summary>
    private static readonly TimeSpan WithinSeconds = TimeSpan.FromSeconds(5);
    private RealHostApp _app = null!;

    private RealFunctionsHost Host => _app.Host;

    [OneTimeSetUp]
    public async Task StartHost() => _app = await RealHostApp.StartAsync(
        new Dictionary<string, string>
        {
            // Every delete with a live assignment goes on through the integration-deletions queue, as a large one does.
            ["IntegrationDeletion__InlineAssignments"] = "0",
        },
        CancellationToken.None);

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
        Assert.That(await StatusAsync("api/health", key: null), Is.EqualTo(HttpStatusCode.OK), "liveness is anonymous, for the platform's probe");
        Assert.That(await StatusAsync("api/health/ready", key: null), Is.EqualTo(HttpStatusCode.Unauthorized), "readiness calls the dependencies, so it needs the key");
    }

    [Test]
    public async Task A_failing_health_probe_is_logged_in_the_host_log_naming_the_dependency()
    {
        _app.KeyVault.Faults.ForbidNext(SimulatorFaults.Always);
        try
        {
            Assert.That(await StatusAsync("api/health/ready", RealFunctionsHost.FunctionKey), Is.EqualTo(HttpStatusCode.ServiceUnavailable));
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

    /// <summary>Each queue trigger's queue, by the app setting its attribute names.</summary>
    public static IEnumerable<TestCaseData> QueueTriggers() =>
        typeof(SyncFunctions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>()?.Name, Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<QueueTriggerAttribute>()).OfType<QueueTriggerAttribute>().FirstOrDefault()))
            .Where(f => f.Function is not null && f.Trigger is not null)
            .Select(f => new TestCaseData(f.Function, f.Trigger!.QueueName.Trim('%').Replace(":", "__", StringComparison.Ordinal)).SetArgDisplayNames(f.Function!));

    [TestCaseSource(nameof(QueueTriggers))]
    public async Task A_message_that_is_not_json_goes_to_the_poison_queue_on_its_first_delivery_with_one_app_log_line(string function, string queueSetting)
    {
        var queue = _app.Queue(queueSetting);
        var poison = _app.Queue(queueSetting, poison: true);
        await queue.CreateIfNotExistsAsync();
        await poison.CreateIfNotExistsAsync();
        var before = (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        var sent = await queue.SendMessageAsync("not json");
        var id = sent.Value.MessageId;

        // At maxDequeueCount 5 and a 30 s visibility timeout, the host alone would take minutes to get it there.
        var line = await Host.WaitForLineAsync(l => l.Contains(id, StringComparison.Ordinal) && l.Contains("can never be handled", StringComparison.Ordinal), LineTimeout, CancellationToken.None);

        Assert.That(line, Is.Not.Null, $"{function}: the app's line naming the message reaches the host's log\n" + Host.Output());
        Assert.That(line, Does.Contain(queue.Name + "-poison"));
        Assert.That((await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount, Is.EqualTo(before + 1));
        // The host deletes the message once the function returns, just after the app's line.
        for (var reads = 0; reads < MaxLatencyPolls && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0; reads++)
        {
            await Task.Delay(LatencyPoll);
        }

        Assert.That((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount, Is.Zero, "the delivery completed; nothing is retried");
        Assert.That(Host.Output().Split('\n').Count(l => l.Contains(id, StringComparison.Ordinal) && l.Contains("can never be handled", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task An_idle_queue_wakes_within_the_polling_interval_of_host_json()
    {
        var maxPolling = await MaxPollingIntervalAsync();
        var queueSetting = QueueTriggers().Select(t => (string)t.Arguments[1]!).Single(s => s.Contains("TicketEvents", StringComparison.Ordinal));
        var queue = _app.Queue(queueSetting);
        await queue.CreateIfNotExistsAsync();

        // The listener backs off while a queue is empty, doubling from 100 ms up to maxPollingInterval. After this long
        // idle a listener at the host's default maximum (1 min) waits about 25 s for its next poll; at 2 s, 2 s.
        await Task.Delay(IdleBeforeLatency);
        var id = (await queue.SendMessageAsync("not json")).Value.MessageId;
        var polls = 0;
        while (!Host.Output().Contains(id, StringComparison.Ordinal) && polls < MaxLatencyPolls * 4)
        {
            await Task.Delay(LatencyPoll);
            polls++;
        }

        await TestContext.Out.WriteLineAsync($"An idle queue's message was picked up after {polls} polls of {LatencyPoll.TotalMilliseconds} ms.");
        var promised = (int)Math.Ceiling(WithinSeconds / LatencyPoll);
        var allowed = (int)Math.Ceiling((maxPolling + LatencyMargin) / LatencyPoll);
        Assert.That(polls, Is.LessThanOrEqualTo(Math.Min(promised, allowed)), $"picked up after {polls} polls of {LatencyPoll.TotalMilliseconds} ms; maxPollingInterval {maxPolling} plus {LatencyMargin} allows {allowed}, the README's {WithinSeconds} {promised}");
    }

    [Test]
    public async Task The_README_walkthrough_passes_with_the_function_key()
    {
        using var walkthrough = new WalkthroughRun(_app.FixedBaseUris, CallHostAsync);
        walkthrough.Variables[WalkthroughRun.FunctionKeyVariable] = RealFunctionsHost.FunctionKey;

        await walkthrough.RunAsync();

        var assignment = JsonNode.Parse(await CallHostAsync(new FunctionsHostCall("GET", new Uri(WalkthroughRun.FunctionsHostApi + "assignments/" + walkthrough.Variables["ASSIGNMENT"]), null, KeyHeader)))!;
        Assert.That(assignment["status"]!.GetValue<string>(), Is.EqualTo("closed"), assignment.ToJsonString());
        Assert.That(assignment["closedReason"]!.GetValue<string>(), Is.EqualTo("ticketResolved"));
        // Other tests of this host keep assignments of their own resources.
        Assert.That(_app.ResourceManager.State.GovernanceAssignments.Where(g => g.ResourceId == LocalDemoData.ResourceId), Is.Empty);
        var started = await Host.WaitForLineAsync(l => l.Contains($"Sync run {walkthrough.Variables["RUN"]} started by Manual", StringComparison.Ordinal), LineTimeout, CancellationToken.None);
        Assert.That(started, Is.Not.Null, "the sync's start is in the host's log");
        Assert.That(Host.Output(), Does.Contain($"in run {walkthrough.Variables["RUN"]} Succeeded"), "and its finish");
    }

    private static readonly Dictionary<string, string> KeyHeader = new() { ["x-functions-key"] = RealFunctionsHost.FunctionKey };

    /// <summary>The walkthrough's call, sent to the real host; after a sync starts, its run is read until it ends, as the README says.</summary>
    private async Task<string> CallHostAsync(FunctionsHostCall call)
    {
        var text = await SendAsync(call);
        if (call.Method == "POST" && call.Url.AbsolutePath == "/api/sync")
        {
            var runId = JsonNode.Parse(text)!["runId"]!.GetValue<string>();
            var read = new FunctionsHostCall("GET", new Uri(WalkthroughRun.FunctionsHostApi + "sync/runs/" + runId), null, call.Headers);
            var polls = 0;
            while (JsonNode.Parse(await SendAsync(read))!["status"]!.GetValue<string>() == "running" && polls++ < MaxLatencyPolls * 4)
            {
                await Task.Delay(LatencyPoll);
            }

            await TestContext.Out.WriteLineAsync($"The walkthrough's sync ended after {polls} reads {LatencyPoll.TotalMilliseconds} ms apart.");
        }

        return text;
    }

    private async Task<string> SendAsync(FunctionsHostCall call)
    {
        using var request = new HttpRequestMessage(new HttpMethod(call.Method), call.Url.PathAndQuery.TrimStart('/'));
        foreach (var (name, value) in call.Headers.Where(h => !h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)))
        {
            request.Headers.Add(name, value);
        }

        if (call.Body is not null)
        {
            request.Content = new StringContent(call.Body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await Host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, $"{call.Method} {call.Url}: {(int)response.StatusCode} {text}\n{Host.Output()}");
        return text;
    }

    private static async Task<TimeSpan> MaxPollingIntervalAsync() => TimeSpan.Parse(
        JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Infrastructure.Azurite.RepositoryRoot(), "host.json")))!["extensions"]!["queues"]!["maxPollingInterval"]!.GetValue<string>(),
        System.Globalization.CultureInfo.InvariantCulture);

    private async Task<HttpStatusCode> StatusAsync(string path, string? key)
    {
        using var request = RealFunctionsHost.Request(HttpMethod.Get, path, key);
        using var response = await Host.Client.SendAsync(request);
        return response.StatusCode;
    }
}
