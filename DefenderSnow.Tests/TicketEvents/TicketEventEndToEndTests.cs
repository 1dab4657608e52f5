using System.Diagnostics.Metrics;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Core.Storage;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.TicketEvents;

/// <summary>A person works a ticket in ServiceNow; the instance's event reaches Defender within the same test, without any sync run.</summary>
[TestFixture]
public sealed class TicketEventEndToEndTests : IUsesHarness
{
    private SyncTestContext _context = null!;
    private TicketEventDriver _events = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartAppAndListener() => (_context, _events) = await TicketEventDriver.StartWithAppAsync();

    [Test]
    public async Task A_resolved_ticket_closes_its_assignment_and_removes_the_governance_assignment_without_a_sync_run()
    {
        var (integrationId, _) = await _events.IntegrationWithEventsAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        await _events.DeliverEventMessagesAsync();
        var runsBefore = (await _context.Sync.ListRunsAsync()).Json["value"]!.AsArray().Count;
        var sent = _context.App.ServiceNow.TicketEventsSent;
        var failed = _context.App.ServiceNow.TicketEventsFailed;
        _context.App.ServiceNow.ResetRequestCounts();

        _context.App.ServiceNow.Resolve("incident", assignment.Ticket.SysId!);

        // One update (New → Resolved with its close fields), one signed event, one queued read.
        Assert.That(_context.App.ServiceNow.TicketEventsSent - sent, Is.EqualTo(1));
        Assert.That(_context.App.ServiceNow.TicketEventsFailed - failed, Is.Zero);
        Assert.That(await _events.QueuedEventCountAsync(), Is.EqualTo(1));
        Assert.That(await _events.DeliverEventMessagesAsync(), Is.EqualTo(1));

        var stored = await _context.Sync.StoredAsync(assignment);
        Assert.That((stored.Status, stored.ClosedReason), Is.EqualTo((AssignmentStatus.Closed, (ClosedReason?)ClosedReason.TicketResolved)));
        Assert.That(_context.Sync.Governance(assignment), Is.Null, "the governance assignment is gone");
        Assert.That(_context.App.ServiceNow.RequestCount("GET /api/now/table/incident"), Is.EqualTo(1), string.Join(", ", _context.App.ServiceNow.RequestCounts));
        Assert.That((await _context.Sync.ListRunsAsync()).Json["value"]!.AsArray(), Has.Count.EqualTo(runsBefore), "no sync run");
        Assert.That(await _context.App.Queues.PeekAsync(WorkQueue.SyncIntegrations), Is.Empty);
    }

    [Test]
    public async Task A_reassigned_ticket_changes_the_owner_in_table_storage_and_defender()
    {
        var (integrationId, _) = await _events.IntegrationWithEventsAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        await _events.DeliverEventMessagesAsync();

        _context.App.ServiceNow.Reassign("incident", assignment.Ticket.SysId!, SyncDriver.OwnerB);
        Assert.That(await _events.DeliverEventMessagesAsync(), Is.EqualTo(1));

        var stored = await _context.Sync.StoredAsync(assignment);
        Assert.That((stored.AssignedTo, stored.AssignedToSysId, stored.Status), Is.EqualTo((SyncDriver.OwnerBEmail, _context.Sync.OwnerBSysId, AssignmentStatus.Active)));
        Assert.That(_context.Sync.Governance(assignment)!.Owner, Is.EqualTo(SyncDriver.OwnerBEmail));
    }

    [Test]
    public async Task A_burst_of_events_for_one_ticket_costs_one_message_and_one_servicenow_read()
    {
        const int Burst = 12;
        var (integrationId, _) = await _events.IntegrationWithEventsAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        await _events.DeliverEventMessagesAsync();
        using var metrics = new MetricRecorder(_context.App.Get<IMeterFactory>());
        _context.App.ServiceNow.ResetRequestCounts();
        var sent = _context.App.ServiceNow.TicketEventsSent;

        for (var i = 0; i < Burst; i++)
        {
            _context.App.ServiceNow.UpdateTicket("incident", assignment.Ticket.SysId!, new Dictionary<string, string> { ["short_description"] = $"Edited {i}" });
        }

        _context.App.ServiceNow.UpdateTicket("incident", assignment.Ticket.SysId!, new Dictionary<string, string> { ["state"] = "2" });

        Assert.That(_context.App.ServiceNow.TicketEventsSent - sent, Is.EqualTo(Burst + 1));
        Assert.That(await _events.QueuedEventCountAsync(), Is.EqualTo(1));
        Assert.That(metrics.Sum("defendersnow.ticket_events.accepted", "collapsed", true), Is.EqualTo(Burst));
        Assert.That(metrics.Sum("defendersnow.ticket_events.accepted", "collapsed", false), Is.EqualTo(1));

        Assert.That(await _events.DeliverEventMessagesAsync(), Is.EqualTo(1));
        Assert.That(_context.App.ServiceNow.RequestCount("GET /api/now/table/incident"), Is.EqualTo(1), string.Join(", ", _context.App.ServiceNow.RequestCounts));
        Assert.That((await _context.Sync.StoredAsync(assignment)).Ticket.State, Is.EqualTo("In Progress"));
        Assert.That(metrics.Sum("defendersnow.ticket_events.applied", "outcome", "applied"), Is.EqualTo(1));

        // The handler cleared the marker before it read: the next change is a new burst, read again.
        _context.App.ServiceNow.Resolve("incident", assignment.Ticket.SysId!);
        Assert.That(await _events.DeliverEventMessagesAsync(), Is.EqualTo(1));
        Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(AssignmentStatus.Closed));
    }

    [Test]
    public async Task A_change_after_the_handler_took_the_message_queues_a_new_read_even_when_that_read_fails()
    {
        var (integrationId, _) = await _events.IntegrationWithEventsAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        await _events.DeliverEventMessagesAsync();
        _context.App.ServiceNow.UpdateTicket("incident", assignment.Ticket.SysId!, new Dictionary<string, string> { ["state"] = "2" });

        // ServiceNow fails the read (every retry too): the message comes back for another delivery.
        _context.App.ServiceNow.Faults.FailNext(100, 503, "GET /api/now/table/incident");
        await _events.DeliverNextEventMessageAsync();
        _context.App.ServiceNow.Faults.Clear();

        // The handler cleared the pending row before it read, so this change is not swallowed by the failed read.
        _context.App.ServiceNow.Resolve("incident", assignment.Ticket.SysId!);
        Assert.That(await _events.QueuedEventCountAsync(), Is.EqualTo(2), "the redelivery and the new event");
        await _events.DeliverEventMessagesAsync();
        Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(AssignmentStatus.Closed));
    }

    [Test]
    public async Task A_message_that_keeps_failing_goes_to_the_poison_queue_and_the_next_sync_run_applies_the_change()
    {
        var (integrationId, _) = await _events.IntegrationWithEventsAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        await _events.DeliverEventMessagesAsync();
        _context.App.ServiceNow.Resolve("incident", assignment.Ticket.SysId!);
        _context.App.ServiceNow.Faults.FailNext(DefenderSnow.Simulators.Hosting.SimulatorFaults.Always, 503, "GET /api/now/table/incident");

        var deliveries = await _events.DeliverEventMessagesAsync();

        Assert.That(deliveries, Is.EqualTo(TestQueues.MaxDequeueCount));
        Assert.That(await _context.App.Queues.PoisonAsync(WorkQueue.TicketEvents), Has.Count.EqualTo(1));
        Assert.That(_context.App.Logs.Lines.Count(l => l.Contains("failed on its last delivery", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(AssignmentStatus.Active));

        _context.App.ServiceNow.Faults.Clear();
        await _context.Sync.SyncAsync(integrationId);
        Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(AssignmentStatus.Closed));
        Assert.That(_context.Sync.Governance(assignment), Is.Null);
    }

    [Test]
    public async Task A_lost_event_is_caught_by_the_next_sync_run()
    {
        var (integrationId, secret) = await _events.IntegrationWithEventsAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        await _events.DeliverEventMessagesAsync();
        var failed = _context.App.ServiceNow.TicketEventsFailed;

        // Nothing listens on port 1: the instance's outbound call fails and, as with RESTMessageV2.executeAsync, is not retried.
        _context.App.ServiceNow.SendTicketEventsTo(new Uri($"http://127.0.0.1:1/api/ticket-events/{integrationId}"), secret);
        _context.App.ServiceNow.Resolve("incident", assignment.Ticket.SysId!);

        Assert.That(_context.App.ServiceNow.TicketEventsFailed - failed, Is.EqualTo(1));
        Assert.That(await _events.QueuedEventCountAsync(), Is.Zero);
        Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(AssignmentStatus.Active));

        var run = await _context.Sync.SyncAsync(integrationId);
        Assert.That(run["integrations"]![0]!["assignmentsClosed"]!["ticketResolved"]!.GetValue<int>(), Is.EqualTo(1), run.ToJsonString());
        Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(AssignmentStatus.Closed));
        Assert.That(_context.Sync.Governance(assignment), Is.Null);
    }

    [Test]
    public async Task A_ticket_that_is_not_ours_is_refused_and_nothing_is_queued()
    {
        var (integrationId, secret) = await _events.IntegrationWithEventsAsync();
        var ours = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        await _events.DeliverEventMessagesAsync();
        var foreign = _context.App.ServiceNow.CreateTicket("incident", new Dictionary<string, string> { ["short_description"] = "Someone else's", ["correlation_display"] = "DefenderSnow", ["correlation_id"] = AssignmentId.New() });

        // Signed correctly, but no live assignment of this integration has that ticket.
        var stranger = await _events.SendSignedAsync(integrationId, TicketEventDriver.EventBody("incident", foreign["sys_id"], foreign["correlation_id"]), secret);
        var wrongTicket = await _events.SendSignedAsync(integrationId, TicketEventDriver.EventBody("incident", foreign["sys_id"], ours.Id), secret);
        var wrongTable = await _events.SendSignedAsync(integrationId, TicketEventDriver.EventBody("problem", ours.Ticket.SysId!, ours.Id), secret);

        Assert.That((stranger.Status, wrongTicket.Status, wrongTable.Status), Is.EqualTo((404, 404, 404)), $"{stranger} {wrongTicket} {wrongTable}");
        Assert.That(stranger.ContentType, Does.StartWith("application/problem+json"));
        Assert.That(await _events.QueuedEventCountAsync(), Is.Zero);

        // The simulator's rule also fires for it (it carries our correlation); the function refuses, the instance counts a failure.
        var failed = _context.App.ServiceNow.TicketEventsFailed;
        _context.App.ServiceNow.UpdateTicket("incident", foreign["sys_id"], new Dictionary<string, string> { ["state"] = "2" });
        Assert.That(_context.App.ServiceNow.TicketEventsFailed - failed, Is.EqualTo(1));
        Assert.That(await _events.QueuedEventCountAsync(), Is.Zero);
    }

    [Test]
    public async Task Deleting_the_integration_removes_its_webhook_secrets()
    {
        var (integrationId, _) = await _events.IntegrationWithEventsAsync();
        Assert.That((await _events.EnableWebhookAsync(integrationId)).Status, Is.EqualTo(200), "rotated once, so a previous secret exists too");
        var names = new[] { IntegrationSecret.WebhookSecret, IntegrationSecret.PreviousWebhookSecret }.Select(s => KeyVaultSecretName.For(integrationId, s)).ToList();
        Assert.That(_context.App.KeyVault.SecretNames(), Is.SupersetOf(names));

        var deleted = await _context.Harness.DeleteAsync(integrationId);

        Assert.That(deleted.Status, Is.EqualTo(204), deleted.ToString());
        Assert.That(_context.App.KeyVault.SecretNames().Intersect(names), Is.Empty);
        Assert.That((await _events.EnableWebhookAsync(integrationId)).Status, Is.EqualTo(404));
    }
}
