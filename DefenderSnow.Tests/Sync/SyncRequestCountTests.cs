using DefenderSnow.Core.Assignments;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// An incremental run costs what changed, not what exists; Defender's findings, read to close on the fix, cost one paged
/// list per subscription.
/// </summary>
[TestFixture]
public sealed class SyncRequestCountTests : IUsesHarness
{
    private const int LiveCount = 2000;

    /// <summary>The simulator's default page size: 2000 findings of the one subscription come in 20 pages.</summary>
    private const int FindingPages = LiveCount / 100;

    /// <summary>The app's clock, moved a day on to the next comparison with Defender's findings.</summary>
    private WallClock Clock { get; } = new();

    private SyncTestContext _context = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    /// <summary>The default cadence of closing on the fix, which the sync settings turn to "every run".</summary>
    [OneTimeSetUp]
    public async Task StartAppWithTheDefaultFindingsCadence() => _context = await SyncTestContext.StartAsync(
        settings => settings.Remove("FindingsCheckEvery"),
        services => services.AddSingleton<TimeProvider>(Clock));

    [Test]
    public async Task An_incremental_run_over_2000_assignments_reads_only_the_changes_and_writes_only_what_they_need()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        // 2000 creates read 2000 findings and write 2000 governance assignments: open buckets keep the seeding unpaced.
        // What this test holds is counted in requests, which throttling does not change.
        _context.App.ResourceManager.State.Throttling.Configure(ThrottledRequestKind.Read, 1_000_000, 1_000_000);
        _context.App.ResourceManager.State.Throttling.Configure(ThrottledRequestKind.Write, 1_000_000, 1_000_000);
        var assignments = await _context.Sync.Assignments.CreateManyAsync(integrationId, LiveCount, IntegrationHarness.SubscriptionScope);

        // The first run reads every ticket created since the integration was: none differs, so nothing is written;
        // Resource Manager is only read: the subscription's findings (and the recommendations' severities) in pages.
        _context.App.ResourceManager.State.ResetRequestCounts();
        var catchUp = await _context.Sync.SyncAsync(integrationId);
        Assert.That(catchUp["integrations"]![0]!["ticketsExamined"]!.GetValue<int>(), Is.EqualTo(LiveCount), catchUp.ToJsonString());
        Assert.That(catchUp["integrations"]![0]!["findingsRead"]!.GetValue<int>(), Is.EqualTo(LiveCount));
        Assert.That(_context.App.ResourceManager.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.EqualTo(FindingPages));
        Assert.That(_context.App.ResourceManager.State.RequestCounts.Keys, Is.SubsetOf(FindingReads));
        // The metadata once, for the one subscription: its list holds the built-in recommendations as well as its custom
        // ones, so the tenant-wide list is not read too (that was one more read a pass: FindingPages + 2).
        Assert.That(_context.App.ResourceManager.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessmentMetadata), Is.EqualTo(1));
        Assert.That(_context.App.ResourceManager.State.RequestCounts.Values.Sum(), Is.EqualTo(FindingPages + 1), string.Join(", ", _context.App.ResourceManager.State.RequestCounts));
        Assert.That(catchUp["integrations"]![0]!["requests"]!["resourceManager"]!.GetValue<int>(), Is.EqualTo(_context.App.ResourceManager.State.RequestCounts.Values.Sum()));

        // 20 changes: 8 resolved/closed, 6 reassigned, 6 moved to another open state.
        var incidents = assignments.Where(a => a.Ticket.Table == "incident").ToList();
        var problems = assignments.Where(a => a.Ticket.Table == "problem").ToList();
        foreach (var a in incidents.Take(6))
        {
            _context.App.ServiceNow.Resolve("incident", a.Ticket.SysId!);
        }

        foreach (var a in problems.Take(2))
        {
            _context.App.ServiceNow.Close("problem", a.Ticket.SysId!);
        }

        foreach (var a in incidents.Skip(6).Take(6))
        {
            _context.App.ServiceNow.Reassign("incident", a.Ticket.SysId!, SyncDriver.OwnerB);
        }

        foreach (var a in incidents.Skip(12).Take(6))
        {
            _context.App.ServiceNow.UpdateTicket("incident", a.Ticket.SysId!, new Dictionary<string, string> { ["state"] = "2" });
        }

        _context.App.ServiceNow.ResetRequestCounts();
        _context.App.ResourceManager.State.ResetRequestCounts();
        var run = await _context.Sync.SyncAsync(integrationId);

        var part = run["integrations"]![0]!;
        Assert.That(part["ticketsExamined"]!.GetValue<int>(), Is.EqualTo(20), run.ToJsonString());
        Assert.That(_context.App.ServiceNow.TotalRequests, Is.LessThanOrEqualTo(10), string.Join(", ", _context.App.ServiceNow.RequestCounts));
        var state = _context.App.ResourceManager.State;
        Assert.That(state.RequestCount(ResourceManagerOperations.DeleteGovernanceAssignment), Is.EqualTo(8));
        Assert.That(state.RequestCount(ResourceManagerOperations.PutGovernanceAssignment), Is.EqualTo(12));
        // The findings were compared by the first run, less than FindingsCheckEvery ago: not read again.
        Assert.That(state.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.Zero);
        Assert.That(part["findingsRead"]!.GetValue<int>(), Is.Zero);
        Assert.That(part["requests"]!["serviceNow"]!.GetValue<int>(), Is.EqualTo(_context.App.ServiceNow.TotalRequests));
        Assert.That(part["requests"]!["resourceManager"]!.GetValue<int>(), Is.EqualTo(state.RequestCounts.Values.Sum()));
        Assert.That(state.GovernanceAssignments.Count(g => g.Owner == SyncDriver.OwnerBEmail), Is.EqualTo(6));

        _context.App.ServiceNow.ResetRequestCounts();
        state.ResetRequestCounts();
        var quiet = await _context.Sync.SyncAsync(integrationId);
        Assert.That(quiet["integrations"]![0]!["ticketsExamined"]!.GetValue<int>(), Is.Zero, quiet.ToJsonString());
        Assert.That(_context.App.ServiceNow.TotalRequests, Is.LessThanOrEqualTo(4), string.Join(", ", _context.App.ServiceNow.RequestCounts));
        Assert.That(state.RequestCounts.Values.Sum(), Is.Zero, string.Join(", ", state.RequestCounts));

        // A day later (the next timer run) the findings are compared again: one paged read of the subscription.
        Clock.Advance(TimeSpan.FromHours(20));
        state.ResetRequestCounts();
        var nextDay = await _context.Sync.SyncAsync(integrationId);
        Assert.That(nextDay["integrations"]![0]!["findingsRead"]!.GetValue<int>(), Is.EqualTo(LiveCount), nextDay.ToJsonString());
        Assert.That(state.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.EqualTo(FindingPages));
        Assert.That(state.RequestCounts.Keys, Is.SubsetOf(FindingReads));
        Assert.That(state.RequestCounts.Values.Sum(), Is.EqualTo(FindingPages + 1), "the metadata read again after its hour, once");
    }

    private static readonly string[] FindingReads =
        [ResourceManagerOperations.ListSubscriptionAssessments, ResourceManagerOperations.ListSubscriptionAssessmentMetadata];
}
