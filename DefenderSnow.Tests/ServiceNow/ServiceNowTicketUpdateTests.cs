using DefenderSnow.Core.Errors;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Simulators.ServiceNow;

namespace DefenderSnow.Tests.ServiceNow;

/// <summary>Changing tickets: fields, work notes, and canceling a duplicate in each table's own way.</summary>
[TestFixture]
public sealed class ServiceNowTicketUpdateTests
{
    private static readonly string[] Moved = ["moved"];

    [TestCase("incident", "8", "Canceled")]
    [TestCase("problem", "107", "Closed")]
    [TestCase("change_request", "4", "Canceled")]
    public async Task A_duplicate_is_canceled_with_a_work_note_naming_the_kept_ticket(string table, string state, string stateName)
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        var ticket = await env.Client.CreateTicketAsync(new ServiceNowTicketRequest(table, "assignment-7", env.TicketFields(table)), CancellationToken.None);

        var canceled = await env.Client.CancelTicketAsync(table, ticket.SysId, "Canceled by DefenderSnow: this ticket duplicates INC0000001.", CancellationToken.None);

        var stored = env.Simulator.GetRecord(table, ticket.SysId)!;
        Assert.That(stored["state"], Is.EqualTo(state));
        Assert.That(stored["active"], Is.EqualTo("false"));
        Assert.That(canceled.State.Name, Is.EqualTo(stateName));
        Assert.That(canceled.State.IsTerminal, Is.True);
        Assert.That(env.Simulator.JournalOf(table, ticket.SysId).Single(e => e.Element == "work_notes").Value, Does.Contain("duplicates INC0000001"));
        if (table == "problem")
        {
            Assert.That(stored["resolution_code"], Is.EqualTo("canceled"));
        }
    }

    [Test]
    public async Task An_update_changes_the_assignee_and_appends_a_work_note_in_one_request()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        var carol = env.Simulator.SeedUser(new ServiceNowSimulatorUser("carol", "carol@contoso.example"));
        var ticket = await env.Client.CreateTicketAsync(new ServiceNowTicketRequest("incident", "assignment-8", env.TicketFields("incident")), CancellationToken.None);
        env.Simulator.ResetRequestCounts();

        var updated = await env.Client.UpdateTicketAsync("incident", ticket.SysId, new Dictionary<string, string> { ["assigned_to"] = carol, ["work_notes"] = "moved" }, CancellationToken.None);

        Assert.That(updated.AssignedToSysId, Is.EqualTo(carol));
        Assert.That(updated.AssignedToEmail, Is.EqualTo("carol@contoso.example"));
        Assert.That(env.Simulator.JournalOf("incident", ticket.SysId).Select(e => e.Value), Is.EqualTo(Moved));
        Assert.That(env.Simulator.RequestCount("PATCH /api/now/table/incident/{sys_id}"), Is.EqualTo(1));
    }

    [Test]
    public async Task An_update_refuses_fields_we_may_not_set_and_a_sys_id_that_is_not_one()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();

        var systemField = () => env.Client.UpdateTicketAsync("incident", new string('a', 32), new Dictionary<string, string> { ["correlation_id"] = "x" }, CancellationToken.None);
        var badId = () => env.Client.UpdateTicketAsync("incident", "../sys_user", new Dictionary<string, string> { ["work_notes"] = "x" }, CancellationToken.None);

        Assert.That(systemField, Throws.TypeOf<ValidationException>().With.Property(nameof(ValidationException.Errors)).ContainKey("fields.correlation_id"));
        Assert.That(badId, Throws.TypeOf<ValidationException>().With.Property(nameof(ValidationException.Errors)).ContainKey("sysId"));
        Assert.That(env.Simulator.TotalRequests, Is.Zero);
    }

    [Test]
    public async Task A_5xx_on_an_update_is_not_repeated()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        var ticket = await env.Client.CreateTicketAsync(new ServiceNowTicketRequest("incident", "assignment-9", env.TicketFields("incident")), CancellationToken.None);
        env.Simulator.Faults.FailAfterCommitNext(1, "PATCH /api/now/table/incident");
        env.Simulator.ResetRequestCounts();

        var note = () => env.Client.AddWorkNoteAsync("incident", ticket.SysId, "once", CancellationToken.None);

        Assert.That(note, Throws.TypeOf<ServiceNowUnreachableException>());
        Assert.That(env.Simulator.JournalOf("incident", ticket.SysId), Has.Count.EqualTo(1), "a work note is never written twice");
        Assert.That(env.Simulator.RequestCount("PATCH /api/now/table/incident/{sys_id}"), Is.EqualTo(1));
    }
}
