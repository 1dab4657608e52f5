using System.Text.Json.Nodes;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Storage;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// Issue 27 item 5: deleting an integration tells its open tickets, as its <c>onDelete</c> says (work note by default,
/// cancel, or leave), once per ticket however often the delete is repeated, and a ServiceNow that cannot be reached
/// does not hold the delete up.
/// </summary>
[TestFixture]
public sealed class DeletedIntegrationTicketTests : IUsesHarness
{
    private const string Deleted = "was deleted";

    private SyncTestContext _context = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartAppWithShortPausesOneAtATime() => _context = await SyncTestContext.StartAsync(settings =>
    {
        settings["IntegrationDeletion:RetryPause"] = "00:00:00.050";

        // One assignment after another, so that "the rest of the batch goes untold" is one decision, not a race of two.
        settings["IntegrationDeletion:Parallelism"] = "1";

        // One attempt per request, so that the requests a test counts are the writes DefenderSnow decided to make.
        settings["ServiceNow:MaxRetryAttempts"] = "0";
    });

    [Test]
    public async Task By_default_each_open_ticket_gets_one_work_note_and_a_resolved_one_none()
    {
        var integrationId = await CreateIntegrationAsync(onDelete: null);
        var open = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var resolved = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        _context.App.ServiceNow.Resolve("incident", resolved.Ticket.SysId!);
        await _context.Sync.SyncAsync(integrationId);

        Assert.That((await _context.Harness.GetAsync(integrationId)).Json["onDelete"]!.GetValue<string>(), Is.EqualTo("note"));
        Assert.That((await _context.Harness.DeleteAsync(integrationId)).Status, Is.EqualTo(204));

        Assert.Multiple(async () =>
        {
            Assert.That(Notes(open), Has.Count.EqualTo(1));
            Assert.That(Notes(open).Single(), Does.Contain(open.ResourceId).And.Contain("no longer tracks"));
            Assert.That(Ticket(open)["state"], Is.EqualTo("1"), "a note leaves the ticket open");
            Assert.That(Notes(resolved), Is.Empty, "a ticket already ended is left alone");
            Assert.That((await _context.Sync.StoredAsync(open)).ClosedReason, Is.EqualTo(ClosedReason.IntegrationDeleted));
        });
    }

    [Test]
    public async Task With_cancel_each_open_ticket_is_canceled_with_the_words_in_its_notes()
    {
        var integrationId = await CreateIntegrationAsync("cancel");
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var problem = await _context.Sync.CreateLiveAssignmentAsync(integrationId, "problem");

        Assert.That((await _context.Harness.DeleteAsync(integrationId)).Status, Is.EqualTo(204));

        Assert.Multiple(() =>
        {
            Assert.That(Ticket(assignment)["state"], Is.EqualTo("8"), "incident Canceled");
            Assert.That(Notes(assignment).Single(), Does.Contain("was canceled"));

            // A problem is canceled as the client cancels any ticket: Closed with resolution code canceled, and the words
            // in its fix notes too (the notes field a cancel needs there).
            Assert.That((Ticket(problem)["state"], Ticket(problem)["resolution_code"]), Is.EqualTo(("107", "canceled")));
            Assert.That(Ticket(problem)["fix_notes"], Does.Contain(Deleted));
        });
    }

    [Test]
    public async Task With_leave_nothing_is_written_to_servicenow()
    {
        var integrationId = await CreateIntegrationAsync("note");
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var changed = await _context.Harness.UpdateAsync(integrationId, new { onDelete = "leave" });
        Assert.That(changed.Json["onDelete"]!.GetValue<string>(), Is.EqualTo("leave"), changed.ToString());
        _context.App.ServiceNow.ResetRequestCounts();

        Assert.That((await _context.Harness.DeleteAsync(integrationId)).Status, Is.EqualTo(204));

        Assert.Multiple(async () =>
        {
            Assert.That(_context.App.ServiceNow.RequestCounts.Keys.Where(k => k.StartsWith("PATCH", StringComparison.Ordinal)), Is.Empty);
            Assert.That(Notes(assignment), Is.Empty);
            Assert.That((await _context.Sync.StoredAsync(assignment)).ClosedReason, Is.EqualTo(ClosedReason.IntegrationDeleted));
        });
    }

    /// <summary>Resource Manager fails after the ticket was told: the batch pauses, and the delete that finishes it writes no second note.</summary>
    [Test]
    public async Task A_delete_interrupted_after_the_note_and_repeated_notes_the_ticket_once()
    {
        var integrationId = await CreateIntegrationAsync(onDelete: null);
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        _context.App.ResourceManager.Faults.DropNext(SimulatorFaults.Always);
        FunctionResponse started;
        try
        {
            started = await _context.Harness.DeleteAsync(integrationId);
        }
        finally
        {
            _context.App.ResourceManager.Faults.Clear();
        }

        Assert.That(started.Status, Is.EqualTo(202), started.ToString());
        Assert.That(Notes(assignment), Has.Count.EqualTo(1), "told before Resource Manager failed");
        Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(AssignmentStatus.Active));

        await _context.App.Queues.DrainAsync(WorkQueue.IntegrationDeletions, m => _context.Harness.Functions.CompleteDeletion(m, CancellationToken.None));
        Assert.That((await _context.Harness.DeleteAsync(integrationId)).Status, Is.EqualTo(404));

        Assert.Multiple(async () =>
        {
            Assert.That(Notes(assignment), Has.Count.EqualTo(1), "one note however often the delete ran");
            Assert.That((await _context.Sync.StoredAsync(assignment)).ClosedReason, Is.EqualTo(ClosedReason.IntegrationDeleted));
            Assert.That(_context.Sync.Governance(assignment), Is.Null);
        });
    }

    [Test]
    public async Task A_servicenow_that_cannot_be_reached_does_not_hold_the_delete_up()
    {
        var integrationId = await CreateIntegrationAsync(onDelete: null);
        var assignments = new[]
        {
            await _context.Sync.CreateLiveAssignmentAsync(integrationId),
            await _context.Sync.CreateLiveAssignmentAsync(integrationId),
            await _context.Sync.CreateLiveAssignmentAsync(integrationId),
        };
        _context.App.ServiceNow.ResetRequestCounts();
        _context.App.ServiceNow.Faults.DropNext(SimulatorFaults.Always);
        FunctionResponse deleted;
        try
        {
            deleted = await _context.Harness.DeleteAsync(integrationId);
        }
        finally
        {
            _context.App.ServiceNow.Faults.Clear();
        }

        Assert.That(deleted.Status, Is.EqualTo(204), deleted.ToString());
        foreach (var assignment in assignments)
        {
            Assert.That((await _context.Sync.StoredAsync(assignment)).ClosedReason, Is.EqualTo(ClosedReason.IntegrationDeleted));
            Assert.That(Notes(assignment), Is.Empty);
        }

        Assert.That(_context.App.Logs.Lines.Count(l => l.Contains("goes untold", StringComparison.Ordinal)), Is.EqualTo(1), "given up once for the batch");
        // The simulator counts a request it then drops: the first ticket's note was tried, the other two not.
        Assert.That(_context.App.ServiceNow.RequestCount("PATCH /api/now/table/incident/{sys_id}"), Is.EqualTo(1), "the other two were not tried");
    }

    [Test]
    public async Task An_unknown_onDelete_is_a_400_naming_it_and_creates_nothing()
    {
        var body = _context.Harness.ValidBody();
        body["onDelete"] = "archive";

        var response = await _context.Harness.CreateAsync(body);

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(response.Json["errors"]!["onDelete"], Is.Not.Null, response.ToString());
        Assert.That((await _context.Harness.ListAsync()).Json["value"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()), Does.Not.Contain(body["name"]));
    }

    private async Task<string> CreateIntegrationAsync(string? onDelete)
    {
        var body = _context.Harness.ValidBody();
        if (onDelete is not null)
        {
            body["onDelete"] = onDelete;
        }

        var response = await _context.Harness.CreateAsync(body);
        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        return response.Json["id"]!.GetValue<string>();
    }

    private IReadOnlyDictionary<string, string> Ticket(Assignment assignment) =>
        _context.App.ServiceNow.GetRecord(assignment.Ticket.Table, assignment.Ticket.SysId!)!;

    private List<string> Notes(Assignment assignment) =>
        _context.App.ServiceNow.JournalOf(assignment.Ticket.Table, assignment.Ticket.SysId!)
            .Where(e => e.Element == "work_notes" && e.Value.Contains(Deleted, StringComparison.Ordinal))
            .Select(e => e.Value)
            .ToList();
}
