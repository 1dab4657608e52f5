using DefenderSnow.Core.Assignments;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// Sync over an instance that reads query dates in the API user's zone (issue 25): the measurement taken at creation is
/// shown on the integration and taken again by each full pass, and an incremental run costs the same requests as before
/// calibration existed: one read per ticket table when nothing changed, and one more page's worth when one page did.
/// </summary>
[TestFixture]
public sealed class SyncQueryDateTests : IUsesHarness
{
    private SyncTestContext _context = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _context = await SyncTestContext.StartAsync();

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [TearDown]
    public void PutTheZonesBack()
    {
        _context.App.ServiceNow.SetTimeZone(IntegrationHarness.ServiceUser, null);
        _context.App.ServiceNow.QueryDateReading = ServiceNowQueryDateReading.UserZone;
    }

    [Test]
    public async Task A_full_pass_measures_again_after_the_users_zone_moved_and_no_change_is_missed_either_side()
    {
        _context.App.ServiceNow.SetTimeZone(IntegrationHarness.ServiceUser, "Pacific/Kiritimati");
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var dates = (await _context.Harness.GetAsync(integrationId)).Json["queryDates"]!;
        Assert.That((dates["mode"]!.GetValue<string>(), dates["timeZone"]!.GetValue<string>()), Is.EqualTo(("userTimeZone", "Pacific/Kiritimati")), dates.ToJsonString());

        var first = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        _context.App.ServiceNow.Resolve("incident", first.Ticket.SysId!);
        await _context.Sync.SyncAsync(integrationId);
        Assert.That((await _context.Sync.StoredAsync(first)).ClosedReason, Is.EqualTo(ClosedReason.TicketResolved));

        // An administrator moves the user 26 hours west: the old zone would now send the bound a day late.
        _context.App.ServiceNow.SetTimeZone(IntegrationHarness.ServiceUser, "Etc/GMT+12");
        await _context.Sync.SyncAsync(integrationId, full: true);
        dates = (await _context.Harness.GetAsync(integrationId)).Json["queryDates"]!;
        Assert.That(dates["timeZone"]!.GetValue<string>(), Is.EqualTo("Etc/GMT+12"), dates.ToJsonString());

        var second = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        _context.App.ServiceNow.Resolve("incident", second.Ticket.SysId!);
        var run = await _context.Sync.SyncAsync(integrationId);
        Assert.That(run["integrations"]![0]!["assignmentsClosed"]!["ticketResolved"]!.GetValue<int>(), Is.EqualTo(1), run.ToJsonString());
    }

    [Test]
    public async Task An_incremental_run_costs_one_read_per_table_when_quiet_and_one_page_more_with_a_page_of_changes()
    {
        _context.App.ServiceNow.SetTimeZone(IntegrationHarness.ServiceUser, "Pacific/Kiritimati");
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var assignments = new List<Assignment>();
        for (var i = 0; i < 3; i++)
        {
            assignments.Add(await _context.Sync.CreateLiveAssignmentAsync(integrationId));
        }

        await _context.Sync.SyncAsync(integrationId);

        _context.App.ServiceNow.ResetRequestCounts();
        await _context.Sync.SyncAsync(integrationId);
        var quiet = _context.App.ServiceNow.TotalRequests;

        foreach (var a in assignments)
        {
            _context.App.ServiceNow.UpdateTicket("incident", a.Ticket.SysId!, new Dictionary<string, string> { ["state"] = "2" });
        }

        _context.App.ServiceNow.ResetRequestCounts();
        var run = await _context.Sync.SyncAsync(integrationId);
        var changed = _context.App.ServiceNow.TotalRequests;

        Assert.That(run["integrations"]![0]!["ticketsExamined"]!.GetValue<int>(), Is.EqualTo(3), run.ToJsonString());
        Assert.That((quiet, changed), Is.EqualTo((QuietRequests, OnePageRequests)), string.Join(", ", _context.App.ServiceNow.RequestCounts));
    }

    /// <summary>One change read per ticket table (incident, problem, change_request), as before calibration.</summary>
    private const int QuietRequests = 3;

    /// <summary>The same three reads: a page of changes comes in the incident read itself; applying them writes to Defender only.</summary>
    private const int OnePageRequests = 3;
}
