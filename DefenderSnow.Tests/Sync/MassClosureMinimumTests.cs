using System.Text.Json.Nodes;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Tests.Infrastructure;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// The guard's small-estate floor at its defaults (MassClosureMinimum 5, MassClosureLimitPercent 20): a few proven
/// deletions are closed whatever share of a small integration they are, and past the floor the share decides again.
/// </summary>
[TestFixture]
public sealed class MassClosureMinimumTests
{
    private SyncTestContext _context = null!;

    [OneTimeSetUp]
    public async Task StartAppWithTheDefaultGuard() => _context = await SyncTestContext.StartAsync(settings => settings.Remove("MassClosureLimitPercent"));

    [OneTimeTearDown]
    public async Task StopApp() => await _context.Harness.DisposeAsync();

    [SetUp]
    public void BeginTest() => _context.Harness.BeginTest();

    [Test]
    public async Task Every_ticket_of_a_four_ticket_integration_deleted_is_within_the_floor_and_closed()
    {
        var assignments = await DeleteTicketsAsync(live: 4, deleted: 4);

        var part = await FullPassAsync(assignments[0].IntegrationId);

        Assert.Multiple(async () =>
        {
            Assert.That(part["assignmentsClosed"]!["ticketDeleted"]!.GetValue<int>(), Is.EqualTo(4), part.ToJsonString());
            Assert.That(part["closuresWithheld"]!.GetValue<int>(), Is.Zero);
            foreach (var assignment in assignments)
            {
                Assert.That((await _context.Sync.StoredAsync(assignment)).ClosedReason, Is.EqualTo(ClosedReason.TicketDeleted));
            }
        });
    }

    [Test]
    public async Task Six_of_ten_deleted_is_past_the_floor_and_the_share_and_closes_none()
    {
        var assignments = await DeleteTicketsAsync(live: 10, deleted: 6);

        var part = await FullPassAsync(assignments[0].IntegrationId);

        Assert.Multiple(async () =>
        {
            Assert.That(part["assignmentsClosed"]!.AsObject(), Is.Empty, part.ToJsonString());
            Assert.That(part["closuresWithheld"]!.GetValue<int>(), Is.EqualTo(6));
            Assert.That(part["needsAttention"]![0]!["reason"]!.GetValue<string>(), Does.Contain("MassClosureMinimum (5)"));
            foreach (var assignment in assignments)
            {
                Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(AssignmentStatus.Active));
            }
        });
    }

    private async Task<Assignment[]> DeleteTicketsAsync(int live, int deleted)
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var recommendation = _context.Sync.Assignments.NewRecommendation();
        var assignments = new Assignment[live];
        for (var i = 0; i < live; i++)
        {
            assignments[i] = await _context.Sync.Assignments.CreateAsync(integrationId, recommendation: recommendation);
        }

        foreach (var assignment in assignments.Take(deleted))
        {
            _context.App.ServiceNow.Delete("incident", assignment.Ticket.SysId!);
        }

        return assignments;
    }

    private async Task<JsonNode> FullPassAsync(string integrationId) => (await _context.Sync.SyncAsync(integrationId, full: true))["integrations"]![0]!;
}
