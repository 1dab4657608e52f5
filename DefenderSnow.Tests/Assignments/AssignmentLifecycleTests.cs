using DefenderSnow.Core.Assignments;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Assignments;

/// <summary>UpdateAssignment and DeleteAssignment against the real host, checking all three systems afterwards.</summary>
public sealed class AssignmentLifecycleTests : IUsesHarness
{
    private const string NewOwner = "carol";
    private const string NewOwnerEmail = "carol@contoso.example";
    private IntegrationHarness _harness = null!;
    private AssignmentDriver _assignments = null!;
    private string _newOwnerSysId = null!;

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartAppWithANewOwner()
    {
        _assignments = await AssignmentDriver.StartAsync();
        _harness = _assignments.Harness;
        _newOwnerSysId = _harness.App.ServiceNow.SeedUser(new ServiceNowSimulatorUser(NewOwner, NewOwnerEmail, "Carol New"));
    }

    [Test]
    public async Task Update_moves_owner_and_due_date_in_ServiceNow_Defender_and_Table_Storage()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var created = await _assignments.CreateActiveAsync(integration, _assignments.UnhealthyResource());
        var id = created["id"]!.GetValue<string>();
        var newDue = _assignments.Clock.GetUtcNow().AddDays(90);
        var sysId = created["ticket"]!["sysId"]!.GetValue<string>();
        var modCount = int.Parse(_harness.App.ServiceNow.GetRecord("incident", sysId)!["sys_mod_count"]);

        var response = await _assignments.UpdateAssignmentAsync(id, new
        {
            assignedTo = NewOwner,
            dueDate = newDue,
            gracePeriod = false,
            emailNotifications = new { notifyManager = true },
        });

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        Assert.That(response.Json["assignedTo"]!.GetValue<string>(), Is.EqualTo(NewOwnerEmail));
        Assert.That(response.Json["emailNotifications"]!["notifyOwner"]!.GetValue<bool>(), Is.True, "left out, so kept");
        Assert.That(response.Json["emailNotifications"]!["notifyManager"]!.GetValue<bool>(), Is.True);
        await _assignments.AssertActiveEverywhereAsync(id);
        var stored = await _assignments.StoredAsync(id);
        Assert.That(stored!.AssignedToSysId, Is.EqualTo(_newOwnerSysId));
        Assert.That(stored.DueDate, Is.EqualTo(newDue).Within(TimeSpan.FromSeconds(1)));
        Assert.That(stored.GracePeriod, Is.False);
        var ticket = _harness.App.ServiceNow.GetRecord("incident", sysId)!;
        Assert.That(int.Parse(ticket["sys_mod_count"]), Is.EqualTo(modCount + 1), "one PATCH: assignee and the due-date work note together");
        var note = _harness.App.ServiceNow.JournalOf("incident", sysId).Single(e => e.Element == "work_notes");
        Assert.That(note.Value, Does.Contain(newDue.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
        var governance = _assignments.GovernanceOf(stored.ResourceId, id)!;
        Assert.That(governance.Properties["remediationEta"]?["justification"]?.GetValue<string>(), Is.Not.Empty);
        Assert.That(governance.Properties["governanceEmailNotification"]!["disableManagerEmailNotification"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task Update_of_a_closed_assignment_or_with_a_stale_version_is_409_and_changes_nothing()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var id = (await _assignments.CreateActiveAsync(integration, _assignments.UnhealthyResource()))["id"]!.GetValue<string>();
        Assert.That((await _assignments.DeleteAssignmentAsync(id)).Status, Is.EqualTo(204));
        var before = await StateSnapshot.TakeAsync(_harness.App);
        var tickets = _harness.App.ServiceNow.ListTickets("incident").Select(t => t["sys_mod_count"]).ToList();

        var response = await _assignments.UpdateAssignmentAsync(id, new { gracePeriod = false });

        Assert.That(response.Status, Is.EqualTo(409), response.ToString());
        Assert.That(response.Json["detail"]!.GetValue<string>(), Does.Contain("deleted"));
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
        Assert.That(_harness.App.ServiceNow.ListTickets("incident").Select(t => t["sys_mod_count"]), Is.EqualTo(tickets));
    }

    [Test]
    public async Task Delete_removes_the_governance_assignment_closes_the_assignment_and_notes_the_ticket()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        var created = await _assignments.CreateActiveAsync(integration, resource);
        var id = created["id"]!.GetValue<string>();
        var sysId = created["ticket"]!["sysId"]!.GetValue<string>();
        var modCount = int.Parse(_harness.App.ServiceNow.GetRecord("incident", sysId)!["sys_mod_count"]);

        var response = await _assignments.DeleteAssignmentAsync(id);

        Assert.That(response.Status, Is.EqualTo(204), response.ToString());
        Assert.That(_assignments.GovernanceOf(resource, id), Is.Null);
        var read = await _assignments.GetAssignmentAsync(id);
        Assert.That(read.Json["status"]!.GetValue<string>(), Is.EqualTo("closed"));
        Assert.That(read.Json["closedReason"]!.GetValue<string>(), Is.EqualTo("deleted"));
        Assert.That(read.Json["closedAt"], Is.Not.Null);
        var ticket = _harness.App.ServiceNow.GetRecord("incident", sysId)!;
        Assert.That(ticket["state"], Is.EqualTo("1"), "the ticket stays open");
        Assert.That(int.Parse(ticket["sys_mod_count"]), Is.EqualTo(modCount + 1), "a work note was added");
        Assert.That(_harness.App.ServiceNow.JournalOf("incident", sysId).Single().Value, Does.Contain("assignment was deleted"));

        // The finding is free again: a new request makes a new assignment.
        var again = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource));
        Assert.That(again.Status, Is.EqualTo(201), again.ToString());
        Assert.That(again.Json["id"]!.GetValue<string>(), Is.Not.EqualTo(id));
    }

    [Test]
    public async Task Delete_succeeds_when_the_work_note_cannot_be_written()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        var id = (await _assignments.CreateActiveAsync(integration, resource))["id"]!.GetValue<string>();
        _harness.App.ServiceNow.Faults.FailNext(1, 503, "PATCH /api/now/table/incident");
        _harness.App.ServiceNow.ResetRequestCounts();

        var response = await _assignments.DeleteAssignmentAsync(id);

        Assert.That(response.Status, Is.EqualTo(204), response.ToString());
        Assert.That(_assignments.GovernanceOf(resource, id), Is.Null);
        Assert.That((await _assignments.StoredAsync(id))!.Status, Is.EqualTo(AssignmentStatus.Closed));
        Assert.That(_harness.App.ServiceNow.RequestCount("PATCH /api/now/table/incident/{sys_id}"), Is.EqualTo(1), "the note was tried once");
        Assert.That(_harness.App.Logs.Lines.Any(l => l.Contains(id, StringComparison.Ordinal) && l.Contains("did not get a work note", StringComparison.Ordinal)), Is.True, "the missing note is logged");
    }

    [Test]
    public async Task Delete_of_a_closed_assignment_is_409_naming_its_state_and_of_an_unknown_one_404()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var id = (await _assignments.CreateActiveAsync(integration, _assignments.UnhealthyResource()))["id"]!.GetValue<string>();
        Assert.That((await _assignments.DeleteAssignmentAsync(id)).Status, Is.EqualTo(204));
        var before = await StateSnapshot.TakeAsync(_harness.App);

        var again = await _assignments.DeleteAssignmentAsync(id);
        var unknown = await _assignments.DeleteAssignmentAsync(Guid.NewGuid().ToString("N"));
        var malformed = await _assignments.DeleteAssignmentAsync("..%2Fintegrations");

        Assert.That(again.Status, Is.EqualTo(409), again.ToString());
        Assert.That(again.Json["detail"]!.GetValue<string>(), Does.Contain("closed (deleted)"));
        Assert.That(unknown.Status, Is.EqualTo(404), unknown.ToString());
        Assert.That(malformed.Status, Is.EqualTo(404), malformed.ToString());
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
    }

    [Test]
    public async Task An_integration_delete_closes_its_assignments_and_then_refuses_new_ones()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        var id = (await _assignments.CreateActiveAsync(integration, resource))["id"]!.GetValue<string>();

        Assert.That((await _harness.DeleteAsync(integration)).Status, Is.EqualTo(204));

        Assert.That(_assignments.GovernanceOf(resource, id), Is.Null, "DeleteIntegration finds the governance assignment under the assignment id");
        Assert.That((await _assignments.StoredAsync(id))!.ClosedReason, Is.EqualTo(ClosedReason.IntegrationDeleted));
    }
}
