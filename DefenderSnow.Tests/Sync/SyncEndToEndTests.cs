using DefenderSnow.Core.Assignments;

namespace DefenderSnow.Tests.Sync;

/// <summary>A person works the tickets in ServiceNow; a run through RunSync and the queue brings Table Storage and Defender in line.</summary>
[TestFixture]
public sealed class SyncEndToEndTests : SyncTestBase
{
    [Test]
    public async Task Resolved_canceled_closed_reassigned_and_deleted_tickets_reach_table_storage_and_defender()
    {
        var integrationId = await CreateIntegrationAsync();
        var resolved = await CreateLiveAssignmentAsync(integrationId);
        var canceled = await CreateLiveAssignmentAsync(integrationId);
        var problem = await CreateLiveAssignmentAsync(integrationId, "problem");
        var change = await CreateLiveAssignmentAsync(integrationId, "change_request");
        var reassigned = await CreateLiveAssignmentAsync(integrationId);
        var inProgress = await CreateLiveAssignmentAsync(integrationId);
        var deleted = await CreateLiveAssignmentAsync(integrationId);
        var untouched = await CreateLiveAssignmentAsync(integrationId);

        App.ServiceNow.Resolve("incident", resolved.Ticket.SysId!);
        App.ServiceNow.Cancel("incident", canceled.Ticket.SysId!);
        App.ServiceNow.Close("problem", problem.Ticket.SysId!);
        App.ServiceNow.Close("change_request", change.Ticket.SysId!);
        App.ServiceNow.Reassign("incident", reassigned.Ticket.SysId!, OwnerB);
        App.ServiceNow.UpdateTicket("incident", inProgress.Ticket.SysId!, new Dictionary<string, string> { ["state"] = "2" });
        App.ServiceNow.Delete("incident", deleted.Ticket.SysId!);

        var run = await SyncAsync(integrationId);
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

        var owner = await StoredAsync(reassigned);
        Assert.That((owner.AssignedTo, owner.AssignedToSysId, owner.Status), Is.EqualTo((OwnerBEmail, OwnerBSysId, AssignmentStatus.Active)));
        Assert.That(Governance(reassigned)!.Owner, Is.EqualTo(OwnerBEmail));

        Assert.That((await StoredAsync(inProgress)).Ticket.State, Is.EqualTo("In Progress"));
        Assert.That(Governance(inProgress)!.Properties["additionalData"]!["ticketStatus"]!.GetValue<string>(), Is.EqualTo("In Progress"));
        Assert.That((await StoredAsync(untouched)).Status, Is.EqualTo(AssignmentStatus.Active));
        Assert.That(Governance(untouched), Is.Not.Null);

        // A deleted ticket is not a change the incremental read can see: the full pass finds it.
        Assert.That((await StoredAsync(deleted)).Status, Is.EqualTo(AssignmentStatus.Active));
        var full = await SyncAsync(integrationId, full: true);
        Assert.That(full["integrations"]![0]!["assignmentsClosed"]!["ticketDeleted"]!.GetValue<int>(), Is.EqualTo(1), full.ToJsonString());
        await AssertClosedAsync(deleted, ClosedReason.TicketDeleted);
        Assert.That((await StoredAsync(untouched)).Status, Is.EqualTo(AssignmentStatus.Active));

        var integration = await GetAsync(integrationId);
        Assert.That(integration.Json["status"]!.GetValue<string>(), Is.EqualTo("connected"));
        Assert.That(integration.Json["lastSyncAt"], Is.Not.Null);
    }

    private async Task AssertClosedAsync(Assignment assignment, ClosedReason reason)
    {
        var stored = await StoredAsync(assignment);
        Assert.That((stored.Status, stored.ClosedReason), Is.EqualTo((AssignmentStatus.Closed, (ClosedReason?)reason)), assignment.Ticket.Number);
        Assert.That(Governance(assignment), Is.Null, $"the governance assignment of {assignment.Ticket.Number} is gone");
    }
}
