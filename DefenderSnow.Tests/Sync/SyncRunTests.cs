using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.Sync;
using DefenderSnow.Functions.Sync;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Sync;

/// <summary>Runs: recording, listing, overlap, the poison path, and integrations that fail alone.</summary>
[TestFixture]
public sealed class SyncRunTests : IUsesHarness
{
    private SyncTestContext _context = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartApp() => _context = await SyncTestContext.StartAsync();

    [Test]
    public async Task A_run_is_recorded_running_then_finished_and_listed_newest_first()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();

        var first = await _context.Sync.RunSyncAsync(new { integrationId });
        Assert.That(first.Status, Is.EqualTo(202), first.ToString());
        var runId = first.Json["runId"]!.GetValue<string>();
        Assert.That(first.Headers.Location.ToString(), Is.EqualTo($"/api/sync/runs/{runId}"));
        Assert.That(first.Json["status"]!.GetValue<string>(), Is.EqualTo("running"));
        Assert.That(first.Json["trigger"]!.GetValue<string>(), Is.EqualTo("manual"));
        var running = await _context.Sync.GetRunAsync(runId);
        Assert.That(running.Json["integrations"]![0]!["status"]!.GetValue<string>(), Is.EqualTo("pending"));
        Assert.That(running.Json["finishedAt"], Is.Null);

        await _context.Sync.DeliverSyncMessagesAsync();
        var finished = await _context.Sync.GetRunAsync(runId);
        Assert.That(finished.Json["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), finished.ToString());
        Assert.That(finished.Json["finishedAt"], Is.Not.Null);
        Assert.That(finished.Json["integrations"]![0]!["requests"]!["serviceNow"]!.GetValue<int>(), Is.GreaterThan(0));

        var second = await _context.Sync.RunSyncAsync(new { integrationId });
        await _context.Sync.DeliverSyncMessagesAsync();
        var list = await _context.Sync.ListRunsAsync("?top=2");
        Assert.That(list.Status, Is.EqualTo(200), list.ToString());
        var ids = list.Json["value"]!.AsArray().Select(r => r!["runId"]!.GetValue<string>()).ToList();
        Assert.That(ids, Is.EqualTo(new[] { second.Json["runId"]!.GetValue<string>(), runId }));
        var nextLink = list.Json["nextLink"]?.GetValue<string>();
        if (nextLink is not null)
        {
            var token = Uri.UnescapeDataString(nextLink.Split("continuationToken=")[1]);
            Assert.That((await _context.Sync.ListRunsAsync("?top=2&continuationToken=" + Uri.EscapeDataString(token))).Status, Is.EqualTo(200), "an issued token is accepted: " + token);
        }

        Assert.That((await _context.Sync.ListRunsAsync("?continuationToken=forged")).Status, Is.EqualTo(400));
        Assert.That((await _context.Sync.GetRunAsync("nope")).Status, Is.EqualTo(404));
    }

    [Test]
    public async Task A_manual_run_over_an_integration_another_run_is_syncing_is_409_and_a_timer_run_skips_it()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var first = await _context.Sync.RunSyncAsync(new { integrationId });
        Assert.That(first.Status, Is.EqualTo(202));

        var overlapping = await _context.Sync.RunSyncAsync(new { integrationId });
        Assert.That(overlapping.Status, Is.EqualTo(409), overlapping.ToString());

        await _context.App.Function<SyncFunctions>().Timer(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);
        var timerRun = (await _context.Sync.ListRunsAsync("?top=1")).Json["value"]![0]!;
        var mine = timerRun["integrations"]!.AsArray().Single(i => i!["integrationId"]!.GetValue<string>() == integrationId)!;
        Assert.That(timerRun["trigger"]!.GetValue<string>(), Is.EqualTo("timer"));
        Assert.That(mine["status"]!.GetValue<string>(), Is.EqualTo("skipped"));
        Assert.That(mine["note"]!.GetValue<string>(), Does.Contain(first.Json["runId"]!.GetValue<string>()));

        await _context.Sync.DeliverSyncMessagesAsync();
        Assert.That((await _context.Sync.RunSyncAsync(new { integrationId })).Status, Is.EqualTo(202), "the hold ends with the run");
        await _context.Sync.DeliverSyncMessagesAsync();
    }

    [Test]
    public async Task The_timer_gives_a_full_pass_to_integrations_whose_last_one_is_full_sync_every_ago()
    {
        var due = await _context.Harness.CreateIntegrationAsync();
        var recent = await _context.Harness.CreateIntegrationAsync();
        var states = _context.App.Get<ISyncStateStore>();
        foreach (var (id, last) in new[] { (due, DateTimeOffset.UtcNow.AddDays(-8)), (recent, DateTimeOffset.UtcNow.AddDays(-1)) })
        {
            var state = await states.GetAsync(id, CancellationToken.None);
            await states.SaveAsync(state with { Value = state.Value with { LastFullSyncAt = last } }, CancellationToken.None);
        }

        await _context.App.Function<SyncFunctions>().Timer(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);
        await _context.Sync.DeliverSyncMessagesAsync();

        var run = (await _context.Sync.ListRunsAsync("?top=1")).Json["value"]![0]!;
        var parts = run["integrations"]!.AsArray().ToDictionary(i => i!["integrationId"]!.GetValue<string>(), i => i!);
        Assert.That(parts[due]["full"]!.GetValue<bool>(), Is.True, run.ToJsonString());
        Assert.That(parts[recent]["full"]!.GetValue<bool>(), Is.False);
        Assert.That(run["full"]!.GetValue<bool>(), Is.False, "the run itself was not asked for a full pass");
        Assert.That((await states.GetAsync(due, CancellationToken.None)).Value.LastFullSyncAt, Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5)));
    }

    [Test]
    public async Task A_cursor_that_saw_thousands_of_tickets_in_its_last_second_is_stored_and_read_back()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var seen = Enumerable.Range(0, 3000).ToDictionary(_ => Guid.NewGuid().ToString("N"), i => i);
        var cursor = new Core.ServiceNow.ServiceNowChangeCursor(DateTimeOffset.UtcNow, seen);
        var states = _context.App.Get<ISyncStateStore>();
        var state = await states.GetAsync(integrationId, CancellationToken.None);

        await states.SaveAsync(state with { Value = state.Value with { Cursors = new Dictionary<string, Core.ServiceNow.ServiceNowChangeCursor> { ["incident"] = cursor } } }, CancellationToken.None);

        var read = await states.GetAsync(integrationId, CancellationToken.None);
        Assert.That(read.Value.Cursors["incident"], Is.EqualTo(cursor));
    }

    [Test]
    public async Task A_stuck_runs_hold_expires()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var states = _context.App.Get<ISyncStateStore>();
        var state = await states.GetAsync(integrationId, CancellationToken.None);
        await states.SaveAsync(state with { Value = state.Value with { HeldByRun = "0000000000000000000-deadbeef", HeldUntil = DateTimeOffset.UtcNow.AddSeconds(-1) } }, CancellationToken.None);

        var run = await _context.Sync.RunSyncAsync(new { integrationId });

        Assert.That(run.Status, Is.EqualTo(202), run.ToString());
        await _context.Sync.DeliverSyncMessagesAsync();
    }

    [Test]
    public async Task A_message_that_keeps_failing_reaches_the_poison_queue_and_its_integration_is_failed_in_the_run()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var started = await _context.Sync.RunSyncAsync(new { integrationId });
        var runId = started.Json["runId"]!.GetValue<string>();
        // A sync state no handler can read: every delivery fails the same way.
        var integrations = await _context.App.Get<TableClientProvider>().GetAsync(Table.Integrations, CancellationToken.None);
        var state = await integrations.GetEntityAsync<Azure.Data.Tables.TableEntity>("integrations", "sync-" + integrationId);
        state.Value["CursorChunks"] = 1;
        state.Value["Cursors0"] = "{\"incident\":\"not a cursor\"}";
        await integrations.UpdateEntityAsync(state.Value, state.Value.ETag);
        var attempts = 0;

        await _context.Sync.DeliverSyncMessagesAsync(async message =>
        {
            attempts++;
            await _context.Sync.Sync.SyncIntegration(message, CancellationToken.None);
        });

        Assert.That(attempts, Is.EqualTo(TestQueues.MaxDequeueCount));
        Assert.That(await _context.App.Queues.PoisonAsync(WorkQueue.SyncIntegrations), Has.Count.EqualTo(1));
        var run = (await _context.Sync.GetRunAsync(runId)).Json;
        Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("failed"), run.ToJsonString());
        var part = run["integrations"]![0]!;
        Assert.That(part["status"]!.GetValue<string>(), Is.EqualTo("failed"));
        Assert.That(part["note"]!.GetValue<string>(), Does.Contain("poison queue"));
        await integrations.DeleteEntityAsync("integrations", "sync-" + integrationId);
    }

    [Test]
    public async Task An_integration_whose_credentials_are_rejected_is_marked_and_the_others_complete()
    {
        var rejected = await _context.Harness.CreateIntegrationAsync();
        var healthy = await _context.Harness.CreateIntegrationAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(rejected);
        _context.App.ServiceNow.Resolve("incident", assignment.Ticket.SysId!);
        _context.App.ServiceNow.ExpireAllTokens();
        // The refresh token and the password are both refused.
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");
        _context.Harness.RememberSecret(wrong);
        await _context.App.Get<Core.Secrets.ISecretStore>().SetAsync(rejected, Core.Secrets.IntegrationSecret.Password, wrong, CancellationToken.None);

        var started = await _context.Sync.RunSyncAsync();
        await _context.Sync.DeliverSyncMessagesAsync();
        var run = (await _context.Sync.GetRunAsync(started.Json["runId"]!.GetValue<string>())).Json;

        var parts = run["integrations"]!.AsArray().ToDictionary(i => i!["integrationId"]!.GetValue<string>(), i => i!);
        Assert.That(parts[rejected]["status"]!.GetValue<string>(), Is.EqualTo("credentialsRejected"), run.ToJsonString());
        Assert.That(parts[healthy]["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));
        Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("partiallySucceeded"));
        var integration = await _context.Harness.GetAsync(rejected);
        Assert.That(integration.Json["status"]!.GetValue<string>(), Is.EqualTo("credentialsRejected"));
        Assert.That(integration.Json["statusDetail"]!.GetValue<string>(), Is.Not.Empty);
        Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(Core.Assignments.AssignmentStatus.Active), "its assignments are left untouched");
        Assert.That(_context.Sync.Governance(assignment), Is.Not.Null);
    }
}
