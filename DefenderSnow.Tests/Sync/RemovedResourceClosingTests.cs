using DefenderSnow.Core.Assignments;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// Issue 27 item 5: a ticket DefenderSnow ends because its resource or assessment disappeared says so, with a close code
/// that is not a "solved" one (the mapping's <c>removedCloseCode</c>), while a ticket whose fix Defender confirmed keeps
/// the table's close code.
/// </summary>
[TestFixture]
public sealed class RemovedResourceClosingTests : IUsesHarness
{
    private SyncTestContext _context = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartApp() => _context = await SyncTestContext.StartAsync();

    [Test]
    public async Task A_removed_resource_is_resolved_with_no_resolution_provided_and_a_fixed_one_with_solution_provided()
    {
        var integrationId = await CreateIntegrationAsync(ticketTypes: null);
        var created = (await _context.Harness.GetAsync(integrationId)).Json["ticketTypes"]!;
        Assert.That(created["incident"]!["removedCloseCode"]!.GetValue<string>(), Is.EqualTo("No resolution provided"), "the first default the instance offers");
        Assert.That(created["change_request"]!["removedCloseCode"], Is.Null, "change_request has no out-of-box code for it");
        var removed = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var fixedOne = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        _context.App.ResourceManager.State.RemoveAssessment(removed.ResourceId, removed.AssessmentName);
        _context.App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(fixedOne.ResourceId, fixedOne.AssessmentName, SimulatedAssessmentStatus.Healthy));

        var run = await _context.Sync.SyncAsync(integrationId);

        Assert.Multiple(async () =>
        {
            Assert.That(run["integrations"]![0]!["assignmentsClosed"]!["resourceRemoved"]!.GetValue<int>(), Is.EqualTo(1), run.ToJsonString());
            var ended = Ticket(removed);
            Assert.That((ended["state"], ended["close_code"]), Is.EqualTo(("6", "No resolution provided")));
            Assert.That(ended["close_notes"], Does.Contain("no longer reports").And.Contain("removed"));
            Assert.That(Ticket(fixedOne)["close_code"], Is.EqualTo("Solution provided"));
            Assert.That((await _context.Sync.StoredAsync(removed)).ClosedReason, Is.EqualTo(ClosedReason.ResourceRemoved));
        });
    }

    [Test]
    public async Task A_removed_close_code_of_its_own_is_sent_and_one_the_instance_lacks_is_a_422_naming_it()
    {
        var refused = await _context.Harness.CreateAsync(Body(new { incident = new { removedCloseCode = "Resource decommissioned" }, problem = new { }, change_request = new { } }));
        Assert.That(refused.Status, Is.EqualTo(422), refused.ToString());
        Assert.That(refused.Json["errors"]!["ticketTypes.incident.removedCloseCode"]!.ToJsonString(), Does.Contain("Known error"), "it lists what the instance offers");

        var integrationId = await CreateIntegrationAsync(new { incident = new { removedCloseCode = "Known error" }, problem = new { }, change_request = new { } });
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var other = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        _context.App.ResourceManager.State.RemoveAssessment(assignment.ResourceId, assignment.AssessmentName);

        await _context.Sync.SyncAsync(integrationId);

        Assert.Multiple(async () =>
        {
            Assert.That(Ticket(assignment)["close_code"], Is.EqualTo("Known error"));
            Assert.That((await _context.Sync.StoredAsync(other)).Status, Is.EqualTo(AssignmentStatus.Active));
        });
    }

    private Dictionary<string, object?> Body(object? ticketTypes)
    {
        var body = _context.Harness.ValidBody();
        body["onResourceHealthy"] = "resolve";
        if (ticketTypes is not null)
        {
            body["ticketTypes"] = ticketTypes;
        }

        return body;
    }

    private async Task<string> CreateIntegrationAsync(object? ticketTypes)
    {
        var response = await _context.Harness.CreateAsync(Body(ticketTypes));
        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        return response.Json["id"]!.GetValue<string>();
    }

    private IReadOnlyDictionary<string, string> Ticket(Assignment assignment) =>
        _context.App.ServiceNow.GetRecord(assignment.Ticket.Table, assignment.Ticket.SysId!)!;
}
