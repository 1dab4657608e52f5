using DefenderSnow.Core.Assignments;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// An incremental run costs what changed, not what exists; Defender's findings, read to close on the fix, cost one paged
/// list per subscription.
/// </summary>
[TestFixture]
public sealed class SyncRequestCountTests : SyncTestBase
{
    private const int LiveCount = 2000;

    /// <summary>The simulator's default page size: 2000 findings of the one subscription come in 20 pages.</summary>
    private const int FindingPages = LiveCount / 100;

    /// <summary>The app's clock, moved a day on to the next comparison with Defender's findings.</summary>
    private WallClock Clock { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

    /// <summary>The default cadence of closing on the fix, which the base class turns to "every run".</summary>
    protected override void AdjustSettings(Dictionary<string, string?> settings)
    {
        base.AdjustSettings(settings);
        settings.Remove("FindingsCheckEvery");
    }

    [Test]
    public async Task An_incremental_run_over_2000_assignments_reads_only_the_changes_and_writes_only_what_they_need()
    {
        var integrationId = await CreateIntegrationAsync();
        App.ResourceManager.State.Throttling.Configure(ThrottledRequestKind.Write, 1_000_000, 1_000_000);
        var assignments = await Assignments.CreateManyAsync(integrationId, LiveCount, SubscriptionScope, OwnerASysId, OwnerAEmail);

        // The first run reads every ticket created since the integration was: none differs, so nothing is written;
        // Resource Manager is only read: the subscription's findings (and the recommendations' severities) in pages.
        App.ResourceManager.State.ResetRequestCounts();
        var catchUp = await SyncAsync(integrationId);
        Assert.That(catchUp["integrations"]![0]!["ticketsExamined"]!.GetValue<int>(), Is.EqualTo(LiveCount), catchUp.ToJsonString());
        Assert.That(catchUp["integrations"]![0]!["findingsRead"]!.GetValue<int>(), Is.EqualTo(LiveCount));
        Assert.That(App.ResourceManager.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.EqualTo(FindingPages));
        Assert.That(App.ResourceManager.State.RequestCounts.Keys, Is.SubsetOf(FindingReads));
        Assert.That(catchUp["integrations"]![0]!["requests"]!["resourceManager"]!.GetValue<int>(), Is.EqualTo(App.ResourceManager.State.RequestCounts.Values.Sum()));

        // 20 changes: 8 resolved/closed, 6 reassigned, 6 moved to another open state.
        var incidents = assignments.Where(a => a.Ticket.Table == "incident").ToList();
        var problems = assignments.Where(a => a.Ticket.Table == "problem").ToList();
        foreach (var a in incidents.Take(6))
        {
            App.ServiceNow.Resolve("incident", a.Ticket.SysId!);
        }

        foreach (var a in problems.Take(2))
        {
            App.ServiceNow.Close("problem", a.Ticket.SysId!);
        }

        foreach (var a in incidents.Skip(6).Take(6))
        {
            App.ServiceNow.Reassign("incident", a.Ticket.SysId!, OwnerB);
        }

        foreach (var a in incidents.Skip(12).Take(6))
        {
            App.ServiceNow.UpdateTicket("incident", a.Ticket.SysId!, new Dictionary<string, string> { ["state"] = "2" });
        }

        App.ServiceNow.ResetRequestCounts();
        App.ResourceManager.State.ResetRequestCounts();
        var run = await SyncAsync(integrationId);

        var part = run["integrations"]![0]!;
        Assert.That(part["ticketsExamined"]!.GetValue<int>(), Is.EqualTo(20), run.ToJsonString());
        Assert.That(App.ServiceNow.TotalRequests, Is.LessThanOrEqualTo(10), string.Join(", ", App.ServiceNow.RequestCounts));
        var state = App.ResourceManager.State;
        Assert.That(state.RequestCount(ResourceManagerOperations.DeleteGovernanceAssignment), Is.EqualTo(8));
        Assert.That(state.RequestCount(ResourceManagerOperations.PutGovernanceAssignment), Is.EqualTo(12));
        // The findings were compared by the first run, less than FindingsCheckEvery ago: not read again.
        Assert.That(state.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.Zero);
        Assert.That(part["findingsRead"]!.GetValue<int>(), Is.Zero);
        Assert.That(part["requests"]!["serviceNow"]!.GetValue<int>(), Is.EqualTo(App.ServiceNow.TotalRequests));
        Assert.That(part["requests"]!["resourceManager"]!.GetValue<int>(), Is.EqualTo(state.RequestCounts.Values.Sum()));
        Assert.That(state.GovernanceAssignments.Count(g => g.Owner == OwnerBEmail), Is.EqualTo(6));

        App.ServiceNow.ResetRequestCounts();
        state.ResetRequestCounts();
        var quiet = await SyncAsync(integrationId);
        Assert.That(quiet["integrations"]![0]!["ticketsExamined"]!.GetValue<int>(), Is.Zero, quiet.ToJsonString());
        Assert.That(App.ServiceNow.TotalRequests, Is.LessThanOrEqualTo(4), string.Join(", ", App.ServiceNow.RequestCounts));
        Assert.That(state.RequestCounts.Values.Sum(), Is.Zero, string.Join(", ", state.RequestCounts));

        // A day later (the next timer run) the findings are compared again: one paged read of the subscription.
        Clock.Advance(TimeSpan.FromHours(20));
        state.ResetRequestCounts();
        var nextDay = await SyncAsync(integrationId);
        Assert.That(nextDay["integrations"]![0]!["findingsRead"]!.GetValue<int>(), Is.EqualTo(LiveCount), nextDay.ToJsonString());
        Assert.That(state.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.EqualTo(FindingPages));
        Assert.That(state.RequestCounts.Keys, Is.SubsetOf(FindingReads));
    }

    private static readonly string[] FindingReads =
        [ResourceManagerOperations.ListSubscriptionAssessments, ResourceManagerOperations.ListAssessmentMetadata, ResourceManagerOperations.ListSubscriptionAssessmentMetadata];
}
