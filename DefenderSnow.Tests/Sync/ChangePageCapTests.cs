using System.Text.Json.Nodes;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Infrastructure;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// An incremental pass follows at most <c>SyncMaxChangePages</c> pages per ticket table (issue 26, item 6); the cursor
/// is saved after every page, so the next run goes on from there and no change is missed or applied twice.
/// </summary>
[TestFixture]
public sealed class ChangePageCapTests
{
    private SyncTestContext _context = null!;

    /// <summary>
    /// ServiceNow's clock. A read starts again at the cursor's second and may take PageSize plus the tickets already seen
    /// there, so changes made in one second can fill a single page whatever the page size; moving this clock puts each
    /// change in its own second, so PageSize=1 means pages of one change.
    /// </summary>
    private readonly WallClock _serviceNowClock = new();

    [OneTimeSetUp]
    public async Task StartAppWithOneChangePerPageAndOnePagePerRun() => _context = await SyncTestContext.StartAsync(settings =>
    {
        settings["ServiceNow:PageSize"] = "1";
        settings["SyncMaxChangePages"] = "1";
    }, serviceNowOptions: new ServiceNowSimulatorOptions { TimeProvider = _serviceNowClock });

    [OneTimeTearDown]
    public async Task StopApp() => await _context.Harness.DisposeAsync();

    [Test]
    public async Task A_run_stops_at_the_page_cap_and_the_next_runs_resume_until_every_change_is_applied_once()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var assignments = new List<Assignment>();
        for (var i = 0; i < 3; i++)
        {
            // Each ticket in its own second, so the cursor's second holds one seen ticket, not all three.
            _serviceNowClock.Advance(TimeSpan.FromSeconds(2));
            assignments.Add(await _context.Sync.CreateLiveAssignmentAsync(integrationId));
        }

        for (var drain = 0; drain < 10 && Capped(await _context.Sync.SyncAsync(integrationId)); drain++)
        {
            // The tickets' own creation is a change too: read it all before the changes this test counts.
        }

        foreach (var assignment in assignments)
        {
            _serviceNowClock.Advance(TimeSpan.FromSeconds(2));
            _context.App.ServiceNow.Resolve("incident", assignment.Ticket.SysId!);
        }

        var first = await _context.Sync.SyncAsync(integrationId);
        var resolved = Resolved(first);
        var runs = 1;
        while (resolved < assignments.Count && runs < 10)
        {
            resolved += Resolved(await _context.Sync.SyncAsync(integrationId));
            runs++;
        }

        Assert.Multiple(() =>
        {
            Assert.That(Capped(first), Is.True, first.ToJsonString());
            Assert.That(Resolved(first), Is.LessThan(assignments.Count), "the first run stopped at the cap");
            Assert.That(resolved, Is.EqualTo(assignments.Count), "the later runs resumed and closed each once");
        });
    }

    private static bool Capped(JsonNode run) =>
        run["integrations"]![0]!["errors"]!.AsArray().Any(e => e!["message"]!.GetValue<string>().Contains("SyncMaxChangePages", StringComparison.Ordinal));

    private static int Resolved(JsonNode run) => run["integrations"]![0]!["assignmentsClosed"]?["ticketResolved"]?.GetValue<int>() ?? 0;
}
