using DefenderSnow.Core.Assignments;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Sync;

/// <summary>A person works the tickets in ServiceNow; a run through RunSync and the queue brings Table Storage and Defender in line.</summary>
[TestFixture]
public sealed class SyncEndToEndTests : IUsesHarness
{
    private SyncTestContext _context = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartApp() => _context = await SyncTestContext.StartAsync();

    [Test]
    public async Task Resolved_canceled_closed_reassigned_and_deleted_tickets_reach_table_storage_and_defender()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var resolved = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var canceled = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var problem = await _context.Sync.CreateLiveAssignmentAsync(integrationId, "problem");
        var change = await _context.Sync.CreateLiveAssignmentAsync(integrationId, "change_request");
        var reassigned = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var inProgress = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var deleted = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var untouched = await _context.Sync.CreateLiveAssignmentAsync(integrationId);

        _context.App.ServiceNow.Resolve("incident", resolved.Ticket.SysId!);
        _context.App.ServiceNow.Cancel("incident", canceled.Ticket.SysId!);
        _context.App.ServiceNow.Close("problem", problem.Ticket.SysId!);
        _context.App.ServiceNow.Close("change_request", change.Ticket.SysId!);
        _context.App.ServiceNow.Reassign("incident", reassigned.Ticket.SysId!, SyncDriver.OwnerB);
        _context.App.ServiceNow.UpdateTicket("incident", inProgress.Ticket.SysId!, new Dictionary<string, string> { ["state"] = "2" });
        _context.App.ServiceNow.Delete("incident", deleted.Ticket.SysId!);

        var run = await _context.Sync.SyncAsync(integrationId);
        Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
        var part = run["integrations"]![0]!;
        Assert.That(part["assignmentsClosed"]!["ticketResolved"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(part["assignmentsClosed"]!["ticketCanceled"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(part["assignmentsClosed"]!["ticketClosed"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(part["ownersChanged"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(part["ticketStatesUpdated"]!.GetValue<int>(), Is.EqualTo(1));

        await AssertClosedAsync(resolved, ClosedReason.TicketResolved);
        await AssertClosedAsync(canceled, ClosedReason.TicketCanceled);
        await AssertClosedAsync(problem, ClosedReason.TicketClosed);
        await AssertClosedAsync(change, ClosedReason.TicketClosed);

        var owner = await _context.Sync.StoredAsync(reassigned);
        Assert.That((owner.AssignedTo, owner.AssignedToSysId, owner.Status), Is.EqualTo((SyncDriver.OwnerBEmail, _context.Sync.OwnerBSysId, AssignmentStatus.Active)));
        Assert.That(_context.Sync.Governance(reassigned)!.Owner, Is.EqualTo(SyncDriver.OwnerBEmail));

        Assert.That((await _context.Sync.StoredAsync(inProgress)).Ticket.State, Is.EqualTo("In Progress"));
        Assert.That(_context.Sync.Governance(inProgress)!.Properties["additionalData"]!["ticketStatus"]!.GetValue<string>(), Is.EqualTo("In Progress"));
        Assert.That((await _context.Sync.StoredAsync(untouched)).Status, Is.EqualTo(AssignmentStatus.Active));
        Assert.That(_context.Sync.Governance(untouched), Is.Not.Null);

        // A deleted ticket is not a change the incremental read can see: the full pass finds it.
        Assert.That((await _context.Sync.StoredAsync(deleted)).Status, Is.EqualTo(AssignmentStatus.Active));
        var full = await _context.Sync.SyncAsync(integrationId, full: true);
        Assert.That(full["integrations"]![0]!["assignmentsClosed"]!["ticketDeleted"]!.GetValue<int>(), Is.EqualTo(1), full.ToJsonString());
        await AssertClosedAsync(deleted, ClosedReason.TicketDeleted);
        Assert.That((await _context.Sync.StoredAsync(untouched)).Status, Is.EqualTo(AssignmentStatus.Active));

        var integration = await _context.Harness.GetAsync(integrationId);
        Assert.That(integration.Json["status"]!.GetValue<string>(), Is.EqualTo("connected"));
        Assert.That(integration.Json["lastSyncAt"], Is.Not.Null);
    }

    private async Task AssertClosedAsync(Assignment assignment, ClosedReason reason)
    {
        var stored = await _context.Sync.StoredAsync(assignment);
        Assert.That((stored.Status, stored.ClosedReason), Is.EqualTo((AssignmentStatus.Closed, (ClosedReason?)reason)), assignment.Ticket.Number);
        Assert.That(_context.Sync.Governance(assignment), Is.Null, $"the governance assignment of {assignment.Ticket.Number} is gone");
    }
}
