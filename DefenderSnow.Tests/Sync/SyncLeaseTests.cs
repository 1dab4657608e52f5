using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.Sync;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// The sync lease: of two runs that find an integration free at the same moment, exactly one holds and syncs it;
/// the other is refused (a manual request) or records <c>skipped</c> and touches nothing (a delivery).
/// One app, simulators and integration for the fixture, so the race can be run a hundred times quickly.
/// </summary>
[TestFixture]
public sealed class SyncLeaseTests : IUsesHarness
{
    private SyncTestContext _context = null!;
    private SyncStateTestHooks _hooks = null!;
    private string _integrationId = null!;
    private Assignment _assignment = null!;
    private bool _ownedByB;

    /// <summary>The app's clock, moved to the exact moment a hold expires.</summary>
    private WallClock Clock { get; } = new();

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartAppWithOneSyncedIntegration()
    {
        _context = await SyncTestContext.StartAsync(configureServices: services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            _hooks = SyncStateTestHooks.Install(services);
        });
        _integrationId = await _context.Harness.CreateIntegrationAsync();
        _assignment = await _context.Sync.CreateLiveAssignmentAsync(_integrationId);
        await _context.Sync.SyncAsync(_integrationId);
    }

    [SetUp]
    public void BeginTestDisarmed()
    {
        _hooks.AfterNextGet = null;
    }

    [Test]
    [Repeat(100)]
    public async Task A_redelivered_run_and_a_new_run_at_the_moment_its_hold_expires_sync_once_and_the_loser_skips()
    {
        // One change to apply, so a second sync of it would show as a second Resource Manager write.
        _ownedByB = !_ownedByB;
        _context.App.ServiceNow.Reassign("incident", _assignment.Ticket.SysId!, _ownedByB ? SyncDriver.OwnerB : SyncDriver.OwnerA);
        var first = await _context.Sync.RunSyncAsync(new { integrationId = _integrationId });
        Assert.That(first.Status, Is.EqualTo(202), first.ToString());
        var firstRun = first.Json["runId"]!.GetValue<string>();

        // The first run's delivery came so late that its hold ends now; between its read of the state and its write a
        // second run is requested (the hold is free) and delivered.
        Clock.Advance(_context.App.Get<IOptions<SyncOptions>>().Value.SyncHoldDuration);
        string? secondRun = null;
        _hooks.AfterNextGet = async () =>
        {
            var second = await _context.Sync.RunSyncAsync(new { integrationId = _integrationId });
            Assert.That(second.Status, Is.EqualTo(202), "the first run's hold had expired: " + second);
            secondRun = second.Json["runId"]!.GetValue<string>();
            Assert.That(await _context.App.Queues.DeliverOneAsync(WorkQueue.SyncIntegrations, m => _context.Sync.Sync.SyncIntegration(m, CancellationToken.None)), Is.True);
        };
        _context.App.ResourceManager.State.ResetRequestCounts();

        Assert.That(await _context.Sync.DeliverSyncMessagesAsync(), Is.EqualTo(1), "the first run's message");

        Assert.That(secondRun, Is.Not.Null, "the hook ran");
        var loser = (await _context.Sync.GetRunAsync(firstRun)).Json["integrations"]![0]!;
        var winner = (await _context.Sync.GetRunAsync(secondRun!)).Json["integrations"]![0]!;
        Assert.That(winner["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), winner.ToJsonString());
        Assert.That(loser["status"]!.GetValue<string>(), Is.EqualTo("skipped"), loser.ToJsonString());
        // The winner had finished and released it by the time the loser looked again, so the loser cannot name it.
        Assert.That(loser["note"]!.GetValue<string>(), Does.Contain("was syncing it"));
        Assert.That(loser["ticketsExamined"]?.GetValue<int>() ?? 0, Is.Zero, "the loser read no ticket");
        Assert.That(_context.App.ResourceManager.State.RequestCount(ResourceManagerOperations.PutGovernanceAssignment), Is.EqualTo(1), "the change is written once");
        Assert.That((await _context.Sync.StoredAsync(_assignment)).AssignedTo, Is.EqualTo(_ownedByB ? SyncDriver.OwnerBEmail : SyncDriver.OwnerAEmail));
        Assert.That((await _context.App.Get<ISyncStateStore>().GetAsync(_integrationId, CancellationToken.None)).Value.HeldByRun, Is.Null, "the winner released it; the loser did not touch it");
    }

    [Test]
    public async Task Two_manual_runs_racing_at_the_hold_write_hold_it_once_and_the_other_is_409()
    {
        FunctionResponse? inner = null;
        _hooks.AfterNextGet = async () => inner = await _context.Sync.RunSyncAsync(new { integrationId = _integrationId });

        var outer = await _context.Sync.RunSyncAsync(new { integrationId = _integrationId });

        Assert.That(inner, Is.Not.Null, "the hook ran");
        Assert.That(inner!.Status, Is.EqualTo(202), inner.ToString());
        Assert.That(outer.Status, Is.EqualTo(409), "the run whose read was overtaken must not take the hold: " + outer);
        Assert.That(await _context.App.Queues.PeekAsync(WorkQueue.SyncIntegrations), Has.Count.EqualTo(1), "one message queued");
        var state = await _context.App.Get<ISyncStateStore>().GetAsync(_integrationId, CancellationToken.None);
        Assert.That(state.Value.HeldByRun, Is.EqualTo(inner.Json["runId"]!.GetValue<string>()));
        Assert.That(await _context.Sync.DeliverSyncMessagesAsync(), Is.EqualTo(1));
    }
}
