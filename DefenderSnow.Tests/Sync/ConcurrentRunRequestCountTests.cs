using System.Text.Json.Nodes;
using DefenderSnow.Core.Storage;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Rules;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// Two runs that sync at the same time in one process each report the upstream requests they made, not the other's:
/// the Functions host handles several queue messages at once (batchSize), and a run's request counts are what the
/// benchmark and the run listing show an integration cost.
/// </summary>
[TestFixture]
public sealed class ConcurrentRunRequestCountTests : IUsesHarness
{
    private SyncTestContext _context = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartApp() => _context = await SyncTestContext.StartAsync();

    [Test]
    public async Task Two_runs_at_once_each_count_the_requests_they_cost_alone_and_together_all_that_went_on_the_wire()
    {
        // Each integration its own subscription, settled by a first run, so a measured run pays only for its changes
        // and its own findings; a small and a large one, so their counts differ and a mix-up shows.
        var smallAlone = await PreparedAsync(closed: 1);
        var largeAlone = await PreparedAsync(closed: 5);
        var smallTwin = await PreparedAsync(closed: 1);
        var largeTwin = await PreparedAsync(closed: 5);
        var small = Requests(await _context.Sync.SyncAsync(smallAlone));
        var large = Requests(await _context.Sync.SyncAsync(largeAlone));
        Assert.That(large, Is.Not.EqualTo(small), "the two runs cost different amounts, or the test shows nothing");

        _context.App.ServiceNow.ResetRequestCounts();
        _context.App.ResourceManager.State.ResetRequestCounts();
        var (smallAtOnce, largeAtOnce) = await SyncAtOnceAsync(smallTwin, largeTwin);

        Assert.Multiple(() =>
        {
            Assert.That(smallAtOnce, Is.EqualTo(small), "the small run counts what it cost alone");
            Assert.That(largeAtOnce, Is.EqualTo(large), "the large run counts what it cost alone");
            Assert.That(smallAtOnce.ServiceNow + largeAtOnce.ServiceNow, Is.EqualTo(_context.App.ServiceNow.TotalRequests), "every ServiceNow request is counted once");
            Assert.That(smallAtOnce.ResourceManager + largeAtOnce.ResourceManager, Is.EqualTo(_context.App.ResourceManager.State.RequestCounts.Values.Sum()), "every Resource Manager request is counted once");
        });
    }

    /// <summary>An integration with live assignments, synced once; then <paramref name="closed"/> of its tickets are closed.</summary>
    private async Task<string> PreparedAsync(int closed)
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var assignments = await _context.Sync.Assignments.CreateManyAsync(integrationId, closed + 1, subscription);
        await _context.Sync.SyncAsync(integrationId);
        foreach (var assignment in assignments.Take(closed))
        {
            if (assignment.Ticket.Table == "incident")
            {
                _context.App.ServiceNow.Resolve(assignment.Ticket.Table, assignment.Ticket.SysId!);
            }
            else
            {
                _context.App.ServiceNow.Close(assignment.Ticket.Table, assignment.Ticket.SysId!);
            }
        }

        return integrationId;
    }

    /// <summary>Starts a run for each, then delivers both messages at once: neither handler starts before both have arrived.</summary>
    private async Task<(RunRequests First, RunRequests Second)> SyncAtOnceAsync(string first, string second)
    {
        var firstRun = await StartRunAsync(first);
        var secondRun = await StartRunAsync(second);
        var arrived = 0;
        var bothArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Handle(Azure.Storage.Queues.Models.QueueMessage message)
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                bothArrived.SetResult();
            }

            await bothArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await _context.Sync.Sync.SyncIntegration(message, CancellationToken.None);
        }

        var delivered = await Task.WhenAll(
            _context.App.Queues.DeliverOneAsync(WorkQueue.SyncIntegrations, Handle),
            _context.App.Queues.DeliverOneAsync(WorkQueue.SyncIntegrations, Handle));
        Assert.That(delivered, Is.All.True);
        return (await FinishedRequestsAsync(firstRun), await FinishedRequestsAsync(secondRun));
    }

    private async Task<string> StartRunAsync(string integrationId)
    {
        var started = await _context.Sync.RunSyncAsync(new { integrationId });
        Assert.That(started.Status, Is.EqualTo(202), started.ToString());
        return started.Json["runId"]!.GetValue<string>();
    }

    private async Task<RunRequests> FinishedRequestsAsync(string runId)
    {
        var run = await _context.Sync.GetRunAsync(runId);
        Assert.That(run.Json["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToString());
        return Requests(run.Json);
    }

    private static RunRequests Requests(JsonNode run)
    {
        var requests = run["integrations"]![0]!["requests"]!;
        return new RunRequests(requests["serviceNow"]!.GetValue<int>(), requests["resourceManager"]!.GetValue<int>());
    }

    private sealed record RunRequests(int ServiceNow, int ResourceManager);
}
