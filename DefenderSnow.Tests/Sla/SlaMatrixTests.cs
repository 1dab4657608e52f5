using System.Globalization;
using System.Text.Json.Nodes;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Functions.Assignments;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Rules;
using DefenderSnow.Tests.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Sla;

/// <summary>
/// An integration's SLA matrix end to end: which days a ticket gets (risk level, severity, the request's or the rule's own),
/// the grace period, the due date in UTC on the ticket and the governance assignment, and the matrix refused when wrong.
/// </summary>
[TestFixture]
public sealed class SlaMatrixTests : IUsesHarness
{
    private static readonly string[] DaysField = ["remediationTimeframeDays"];

    private readonly WallClock _clock = new();
    private SyncTestContext _context = null!;

    private IntegrationHarness Harness => _context.Harness;

    private RuleDriver Rules => _context.Rules;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        // Whole seconds, as ServiceNow's date-times hold them, so that every copy of a due date compares equal.
        var now = _clock.GetUtcNow();
        _clock.SetUtcNow(new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond) + TimeSpan.TicksPerSecond, TimeSpan.Zero));
        _context = await SyncTestContext.StartAsync(configureServices: s => s.AddSingleton<TimeProvider>(_clock));
    }

    /// <summary>Severity Critical 7, High 14, Medium 30, Low 90; risk level Critical 3, High 7, Medium 30, Low 90.</summary>
    public static Dictionary<string, object?> Matrix(bool gracePeriod = true) => new()
    {
        ["severity"] = new Dictionary<string, object?> { ["Critical"] = 7, ["High"] = 14, ["Medium"] = 30, ["Low"] = 90 },
        ["riskLevel"] = new Dictionary<string, object?> { ["Critical"] = 3, ["High"] = 7, ["Medium"] = 30, ["Low"] = 90 },
        ["gracePeriod"] = gracePeriod,
    };

    [Test]
    public async Task A_rule_without_days_gives_each_finding_its_risk_levels_days_when_Defender_reports_one_and_its_severitys_otherwise()
    {
        var (subscription, integrationId) = await IntegrationWithMatrixAsync();
        var recommendation = Rules.NewRecommendation(SimulatedSeverity.High);
        var critical = SeedFinding(subscription, recommendation, new SimulatedRisk("Critical"));
        var noRisk = SeedFinding(subscription, recommendation, risk: null);
        var unknown = SeedFinding(subscription, recommendation, new SimulatedRisk("Extreme"));
        var body = RuleDriver.RuleBody(recommendation);
        body.Remove("remediationTimeframeDays");
        body["gracePeriod"] = false;
        var ruleId = await Rules.CreateRuleIdAsync(integrationId, body);
        var now = _clock.GetUtcNow();

        await Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 3, waiting: 0);

        var stored = (await Rules.StoredAssignmentsAsync(integrationId)).ToDictionary(a => a.ResourceId);
        Assert.Multiple(() =>
        {
            AssertDue(stored[critical], now.AddDays(3), gracePeriod: true);
            AssertDue(stored[noRisk], now.AddDays(14), gracePeriod: true);
            // A risk level DefenderSnow does not know gets the risk table's fewest days, never the most.
            AssertDue(stored[unknown], now.AddDays(3), gracePeriod: true);
        });
    }

    [Test]
    public async Task A_ticket_shared_per_recommendation_is_due_when_its_most_urgent_resource_is()
    {
        var (subscription, integrationId) = await IntegrationWithMatrixAsync();
        var recommendation = Rules.NewRecommendation(SimulatedSeverity.High);
        SeedFinding(subscription, recommendation, risk: null);
        SeedFinding(subscription, recommendation, new SimulatedRisk("Critical"));
        var body = RuleDriver.RuleBody(recommendation);
        body.Remove("remediationTimeframeDays");
        body["grouping"] = "perRecommendation";
        var ruleId = await Rules.CreateRuleIdAsync(integrationId, body);
        var now = _clock.GetUtcNow();

        await Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 2, waiting: 0);

        var stored = await Rules.StoredAssignmentsAsync(integrationId);
        var ticket = Harness.App.ServiceNow.ListTickets("incident").Single(t => stored.Any(a => a.CorrelationId == t["correlation_id"]));
        Assert.That(ticket["due_date"], Is.EqualTo(now.AddDays(3).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task A_rules_own_days_and_grace_period_win_over_the_matrix()
    {
        var (subscription, integrationId) = await IntegrationWithMatrixAsync();
        var recommendation = Rules.NewRecommendation(SimulatedSeverity.Critical);
        var resource = SeedFinding(subscription, recommendation, new SimulatedRisk("Critical"));
        var body = RuleDriver.RuleBody(recommendation);
        body["remediationTimeframeDays"] = 30;
        body["gracePeriod"] = false;
        var ruleId = await Rules.CreateRuleIdAsync(integrationId, body);
        var now = _clock.GetUtcNow();

        await Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 1, waiting: 0);

        AssertDue((await Rules.StoredAssignmentsAsync(integrationId)).Single(a => a.ResourceId == resource), now.AddDays(30), gracePeriod: false);
    }

    [Test]
    public async Task A_requests_own_remediationTimeframeDays_win_over_the_matrix_and_a_request_without_them_takes_the_matrixs()
    {
        var (subscription, integrationId) = await IntegrationWithMatrixAsync();
        var recommendation = Rules.NewRecommendation(SimulatedSeverity.Medium);
        var own = SeedFinding(subscription, recommendation, new SimulatedRisk("High"));
        var fromMatrix = SeedFinding(subscription, recommendation, new SimulatedRisk("High"));
        var now = _clock.GetUtcNow();

        var withDays = await CreateAssignmentAsync(integrationId, recommendation, own, days: 45);
        var withoutDays = await CreateAssignmentAsync(integrationId, recommendation, fromMatrix, days: null);

        Assert.That((withDays.Status, withoutDays.Status), Is.EqualTo((201, 201)), $"{withDays}\n{withoutDays}");
        var stored = (await Rules.StoredAssignmentsAsync(integrationId)).ToDictionary(a => a.ResourceId);
        Assert.Multiple(() =>
        {
            // The matrix's grace period goes with the matrix's date only; the request's own days keep the request's (none).
            AssertDue(stored[own], now.AddDays(45), gracePeriod: false);
            AssertDue(stored[fromMatrix], now.AddDays(7), gracePeriod: true);
        });
    }

    [Test]
    public async Task Changing_an_assignments_due_date_moves_the_tickets_due_date_too()
    {
        var (subscription, integrationId) = await IntegrationWithMatrixAsync();
        var recommendation = Rules.NewRecommendation(SimulatedSeverity.Low);
        var resource = SeedFinding(subscription, recommendation, risk: null);
        var created = await CreateAssignmentAsync(integrationId, recommendation, resource, days: null);
        var id = created.Json["id"]!.GetValue<string>();
        var now = _clock.GetUtcNow();

        var changed = await Harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("PATCH", $"/api/assignments/{id}", FunctionCall.Json(new Dictionary<string, object?> { ["remediationTimeframeDays"] = 60 })),
            r => Harness.App.Function<AssignmentFunctions>().Update(r, id, CancellationToken.None)));

        Assert.That(changed.Status, Is.EqualTo(200), changed.ToString());
        AssertDue((await Rules.StoredAssignmentsAsync(integrationId)).Single(), now.AddDays(60), gracePeriod: true);
    }

    [Test]
    public async Task Without_a_matrix_a_request_or_a_rule_without_days_is_refused_naming_remediationTimeframeDays()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = Rules.NewRecommendation(SimulatedSeverity.High);
        var resource = SeedFinding(subscription, recommendation, risk: null);
        var rule = RuleDriver.RuleBody(recommendation);
        rule.Remove("remediationTimeframeDays");
        var before = await StateSnapshot.TakeAsync(Harness.App);

        var request = await CreateAssignmentAsync(integrationId, recommendation, resource, days: null);
        var ruleCreate = await Rules.CreateRuleAsync(integrationId, rule);

        Assert.Multiple(async () =>
        {
            Assert.That(request.Status, Is.EqualTo(400), request.ToString());
            Assert.That(request.Json["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(DaysField), request.ToString());
            Assert.That(ruleCreate.Status, Is.EqualTo(400), ruleCreate.ToString());
            Assert.That(ruleCreate.Json["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(DaysField), ruleCreate.ToString());
            Assert.That(await StateSnapshot.TakeAsync(Harness.App), Is.EqualTo(before));
        });
    }

    [Test]
    public async Task The_due_date_counts_whole_days_in_UTC_across_a_UTC_midnight_whatever_the_ServiceNow_users_time_zone()
    {
        // The ServiceNow user lives in Los Angeles (on 7 March, eight hours behind UTC); the ticket's due date is still UTC.
        Harness.App.ServiceNow.SetTimeZone(IntegrationHarness.ServiceUser, "America/Los_Angeles");
        try
        {
            var (subscription, integrationId) = await IntegrationWithMatrixAsync();
            var recommendation = Rules.NewRecommendation(SimulatedSeverity.High);
            var before = SeedFinding(subscription, recommendation, risk: null);
            var after = SeedFinding(subscription, recommendation, risk: null);
            var midnight = new DateTimeOffset(_clock.GetUtcNow().UtcDateTime.Date.AddDays(1), TimeSpan.Zero);

            _clock.SetUtcNow(midnight.AddSeconds(-30));
            var first = await CreateAssignmentAsync(integrationId, recommendation, before, days: null);
            _clock.SetUtcNow(midnight.AddSeconds(30));
            var second = await CreateAssignmentAsync(integrationId, recommendation, after, days: null);

            Assert.That((first.Status, second.Status), Is.EqualTo((201, 201)), $"{first}\n{second}");
            var stored = (await Rules.StoredAssignmentsAsync(integrationId)).ToDictionary(a => a.ResourceId);
            var dayBefore = midnight.AddDays(13).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var dayAfter = midnight.AddDays(14).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            Assert.Multiple(() =>
            {
                AssertDue(stored[before], midnight.AddSeconds(-30).AddDays(14), gracePeriod: true);
                AssertDue(stored[after], midnight.AddSeconds(30).AddDays(14), gracePeriod: true);
                Assert.That(TicketOf(stored[before])["due_date"], Is.EqualTo($"{dayBefore} 23:59:30"));
                Assert.That(TicketOf(stored[after])["due_date"], Is.EqualTo($"{dayAfter} 00:00:30"));
            });
        }
        finally
        {
            Harness.App.ServiceNow.SetTimeZone(IntegrationHarness.ServiceUser, null);
        }
    }

    [Test]
    public async Task The_matrix_is_stored_returned_on_GET_replaced_whole_by_an_update_and_removed_by_an_empty_object()
    {
        var (_, integrationId) = await IntegrationWithMatrixAsync();

        var created = await Harness.GetAsync(integrationId);
        Assert.That(created.Json["slaMatrix"]!.ToJsonString(), Is.EqualTo(
            """{"severity":{"Low":90,"Medium":30,"High":14,"Critical":7},"riskLevel":{"Low":90,"Medium":30,"High":7,"Critical":3},"gracePeriod":true}"""));

        var unrelated = await Harness.UpdateAsync(integrationId, new Dictionary<string, object?> { ["onResourceHealthy"] = "resolve" });
        Assert.That(unrelated.Json["slaMatrix"]!["gracePeriod"]!.GetValue<bool>(), Is.True, "an update without slaMatrix keeps it");

        var severityOnly = await Harness.UpdateAsync(integrationId, new Dictionary<string, object?>
        {
            ["slaMatrix"] = new Dictionary<string, object?> { ["severity"] = new Dictionary<string, object?> { ["Critical"] = 5, ["High"] = 10, ["Medium"] = 20, ["Low"] = 60 } },
        });
        Assert.That(severityOnly.Status, Is.EqualTo(200), severityOnly.ToString());
        Assert.That((await Harness.GetAsync(integrationId)).Json["slaMatrix"]!.ToJsonString(), Is.EqualTo(
            """{"severity":{"Low":60,"Medium":20,"High":10,"Critical":5},"riskLevel":null,"gracePeriod":false}"""));

        var removed = await Harness.UpdateAsync(integrationId, new Dictionary<string, object?> { ["slaMatrix"] = new Dictionary<string, object?>() });
        Assert.That(removed.Status, Is.EqualTo(200), removed.ToString());
        Assert.That((await Harness.GetAsync(integrationId)).Json["slaMatrix"], Is.Null);
    }

    public static IEnumerable<TestCaseData> InvalidMatrices()
    {
        static TestCaseData Case(string name, Action<Dictionary<string, object?>> spoil, string field) =>
            new TestCaseData(spoil, field).SetName($"An_SLA_matrix_with_{name}_is_refused_on_create_and_update_naming_{field.Replace('.', '_')}");

        static Dictionary<string, object?> Severity(Dictionary<string, object?> m) => (Dictionary<string, object?>)m["severity"]!;

        yield return Case("zero_days", m => Severity(m)["High"] = 0, "slaMatrix.severity.High");
        yield return Case("more_than_365_days", m => ((Dictionary<string, object?>)m["riskLevel"]!)["Low"] = 366, "slaMatrix.riskLevel.Low");
        yield return Case("an_unknown_level", m => Severity(m)["Extreme"] = 1, "slaMatrix.severity.Extreme");
        yield return Case("a_level_left_out", m => Severity(m).Remove("Medium"), "slaMatrix.severity.Medium");
        yield return Case("a_null_entry", m => Severity(m)["Low"] = null, "slaMatrix.severity.Low");
        yield return Case("a_higher_level_given_longer", m => Severity(m)["Critical"] = 20, "slaMatrix.severity.Critical");
        yield return Case("a_grace_period_but_no_table", m => { m.Remove("severity"); m.Remove("riskLevel"); }, "slaMatrix");
    }

    [TestCaseSource(nameof(InvalidMatrices))]
    public async Task An_invalid_matrix_is_refused_naming_the_entry(Action<Dictionary<string, object?>> spoil, string field)
    {
        var integrationId = await Harness.CreateIntegrationAsync(scope: RuleDriver.NewSubscription());
        var matrix = Matrix();
        spoil(matrix);
        var body = Harness.ValidBody(scope: RuleDriver.NewSubscription());
        body["slaMatrix"] = matrix;
        var before = await StateSnapshot.TakeAsync(Harness.App);

        var create = await Harness.CreateAsync(body);
        var update = await Harness.UpdateAsync(integrationId, new Dictionary<string, object?> { ["slaMatrix"] = matrix });

        Assert.Multiple(async () =>
        {
            foreach (var response in new[] { create, update })
            {
                Assert.That(response.Status, Is.EqualTo(400), response.ToString());
                Assert.That(response.Json["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { field }), response.ToString());
            }

            Assert.That(await StateSnapshot.TakeAsync(Harness.App), Is.EqualTo(before));
        });
    }

    private async Task<(string Subscription, string IntegrationId)> IntegrationWithMatrixAsync()
    {
        var subscription = RuleDriver.NewSubscription();
        var body = Harness.ValidBody(scope: subscription);
        body["slaMatrix"] = Matrix();
        var created = await Harness.CreateAsync(body);
        Assert.That(created.Status, Is.EqualTo(201), created.ToString());
        return (subscription, created.Json["id"]!.GetValue<string>());
    }

    private string SeedFinding(string subscription, string recommendation, SimulatedRisk? risk)
    {
        var resourceId = $"{subscription}/resourceGroups/rg-sla/providers/{RuleDriver.Vm}/res-{Guid.NewGuid():N}";
        Harness.App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(resourceId, recommendation, SimulatedAssessmentStatus.Unhealthy) { Risk = risk });
        return resourceId;
    }

    private Task<FunctionResponse> CreateAssignmentAsync(string integrationId, string recommendation, string resourceId, int? days)
    {
        var body = new Dictionary<string, object?>
        {
            ["integrationId"] = integrationId,
            ["assessmentName"] = recommendation,
            ["resourceId"] = resourceId,
            ["ticketType"] = "incident",
            ["assignedTo"] = SyncDriver.OwnerAEmail,
            ["caller"] = SyncDriver.OwnerA,
        };
        if (days is not null)
        {
            body["remediationTimeframeDays"] = days;
        }

        return Harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("POST", "/api/assignments", FunctionCall.Json(body)), r => Harness.App.Function<AssignmentFunctions>().Create(r, CancellationToken.None)));
    }

    private IReadOnlyDictionary<string, string> TicketOf(Assignment assignment) =>
        Harness.App.ServiceNow.ListTickets("incident").Single(t => t["correlation_id"] == assignment.Id);

    /// <summary>The same due date (UTC) on the assignment, the ticket's due_date and Defender's governance assignment, with the grace period.</summary>
    private void AssertDue(Assignment assignment, DateTimeOffset due, bool gracePeriod)
    {
        var governance = Harness.App.ResourceManager.State.FindGovernanceAssignment(assignment.ResourceId, assignment.AssessmentName, assignment.Id);
        Assert.That(assignment.DueDate, Is.EqualTo(due), assignment.ResourceId);
        Assert.That(assignment.DueDate.Offset, Is.EqualTo(TimeSpan.Zero));
        Assert.That(TicketOf(assignment)["due_date"], Is.EqualTo(due.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)));
        Assert.That(governance?.RemediationDueDate, Is.EqualTo(due), "the governance assignment's remediationDueDate");
        Assert.That((assignment.GracePeriod, governance?.IsGracePeriod), Is.EqualTo((gracePeriod, (bool?)gracePeriod)), "the grace period");
    }
}
