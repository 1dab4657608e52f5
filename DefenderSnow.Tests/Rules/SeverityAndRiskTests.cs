using System.Text.Json.Nodes;
using DefenderSnow.Functions.Assignments;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.Rules;

/// <summary>
/// Defender's fourth severity (Critical), severities DefenderSnow does not know, and Defender's risk level: how they
/// rank in rules, what impact and urgency their tickets get, and where they show (assignments, dry runs, sync runs).
/// </summary>
[TestFixture]
public sealed class SeverityAndRiskTests : IUsesHarness
{
    private SyncTestContext _context = null!;

    private IntegrationHarness Harness => _context.Harness;

    private SyncDriver Sync => _context.Sync;

    private RuleDriver Rules => _context.Rules;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartApp() => _context = await SyncTestContext.StartAsync();

    [Test]
    public async Task A_critical_finding_meets_a_high_minimum_gets_impact_and_urgency_1_and_shows_as_critical_in_dry_runs_sync_runs_and_assignments()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await Harness.CreateIntegrationAsync(scope: subscription);
        var critical = Rules.NewRecommendation(SimulatedSeverity.Critical);
        var high = Rules.NewRecommendation(SimulatedSeverity.High);
        var medium = Rules.NewRecommendation(SimulatedSeverity.Medium);
        var criticalResource = Rules.SeedFinding(subscription, critical);
        var highResource = Rules.SeedFinding(subscription, high);
        Rules.SeedFinding(subscription, medium);
        var ruleId = await Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(conditions: new Dictionary<string, object?> { ["minimumSeverity"] = "High" }));

        var dryRun = await Rules.EvaluateAsync(integrationId, ruleId, "?dryRun=true");
        Assert.That(dryRun.Status, Is.EqualTo(200), dryRun.ToString());
        Assert.That(SeverityByResource(dryRun.Json), Is.EquivalentTo(new Dictionary<string, string?> { [criticalResource] = "Critical", [highResource] = "High" }));

        var run = await Sync.SyncAsync(integrationId);
        var part = run["integrations"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That(part["ruleTicketsOpened"]!.GetValue<int>(), Is.EqualTo(2), run.ToJsonString());
            Assert.That(part["ruleTicketsBySeverity"]!["Critical"]!.GetValue<int>(), Is.EqualTo(1), run.ToJsonString());
            Assert.That(part["ruleTicketsBySeverity"]!["High"]!.GetValue<int>(), Is.EqualTo(1), run.ToJsonString());
            Assert.That(part["unrecognizedSeverities"]!.AsArray(), Is.Empty, run.ToJsonString());
        });

        var stored = (await Rules.StoredAssignmentsAsync(integrationId)).Single(a => a.ResourceId == criticalResource);
        var shown = await Harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("GET", $"/api/assignments/{stored.Id}"), r => Harness.App.Function<AssignmentFunctions>().Get(r, stored.Id, CancellationToken.None)));
        var ticket = Harness.App.ServiceNow.ListTickets("incident").Single(t => t["correlation_id"] == stored.Id);
        Assert.Multiple(() =>
        {
            Assert.That(shown.Json["recommendation"]!["severity"]!.GetValue<string>(), Is.EqualTo("Critical"), shown.ToString());
            Assert.That((ticket["impact"], ticket["urgency"]), Is.EqualTo(("1", "1")), "Critical by the default matrix");
            Assert.That(ticket["description"], Does.Contain("Severity: Critical"));
        });
    }

    [Test]
    public async Task An_integrations_priority_matrix_sets_the_impact_and_urgency_of_its_composed_tickets()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await Harness.CreateIntegrationAsync(scope: subscription);
        var created = await Harness.GetAsync(integrationId);
        Assert.That(Matrix(created.Json), Is.EqualTo(new Dictionary<string, (int, int)>
        {
            ["Low"] = (3, 3),
            ["Medium"] = (2, 2),
            ["High"] = (1, 2),
            ["Critical"] = (1, 1),
        }), "the documented defaults");

        var updated = await Harness.UpdateAsync(integrationId, new Dictionary<string, object?>
        {
            ["ticketPriorities"] = new Dictionary<string, object?> { ["Critical"] = new Dictionary<string, object?> { ["urgency"] = 2 }, ["Low"] = new Dictionary<string, object?> { ["impact"] = 2, ["urgency"] = 2 } },
        });
        Assert.That(updated.Status, Is.EqualTo(200), updated.ToString());
        Assert.That(Matrix(updated.Json), Is.EqualTo(new Dictionary<string, (int, int)>
        {
            ["Low"] = (2, 2),
            ["Medium"] = (2, 2),
            ["High"] = (1, 2),
            ["Critical"] = (1, 2),
        }), "members left out keep theirs");

        var critical = Rules.NewRecommendation(SimulatedSeverity.Critical);
        var resource = Rules.SeedFinding(subscription, critical);
        var ruleId = await Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(critical));
        await Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 1, waiting: 0);
        var stored = (await Rules.StoredAssignmentsAsync(integrationId)).Single();
        var ticket = Harness.App.ServiceNow.ListTickets("incident").Single(t => t["correlation_id"] == stored.Id);
        Assert.That((stored.ResourceId, ticket["impact"], ticket["urgency"]), Is.EqualTo((resource, "1", "2")));
    }

    [TestCase("Extreme", "impact", 1, "ticketPriorities.Extreme")]
    [TestCase("Critical", "impact", 4, "ticketPriorities.Critical.impact")]
    [TestCase("High", "urgency", 0, "ticketPriorities.High.urgency")]
    public async Task A_priority_matrix_with_an_unknown_severity_or_a_level_out_of_range_is_refused_naming_the_entry(string severity, string member, int value, string field)
    {
        var integrationId = await Harness.CreateIntegrationAsync(scope: RuleDriver.NewSubscription());
        var before = await StateSnapshot.TakeAsync(Harness.App);

        var response = await Harness.UpdateAsync(integrationId, new Dictionary<string, object?>
        {
            ["ticketPriorities"] = new Dictionary<string, object?> { [severity] = new Dictionary<string, object?> { [member] = value } },
        });

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(response.Json["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { field }), response.ToString());
        Assert.That(await StateSnapshot.TakeAsync(Harness.App), Is.EqualTo(before));
    }

    [Test]
    public async Task A_rule_on_risk_level_critical_opens_tickets_for_exactly_the_findings_defender_rates_critical()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = Rules.NewRecommendation(SimulatedSeverity.Medium);
        var internet = new SimulatedRisk("Critical") { Factors = ["Exposure to the Internet", "Sensitive Data"], AttackPaths = ["path-1"] };
        var first = SeedRisk(subscription, recommendation, internet);
        var second = SeedRisk(subscription, recommendation, new SimulatedRisk("Critical"));
        SeedRisk(subscription, recommendation, new SimulatedRisk("High") { Factors = ["Exposure to the Internet"] });
        SeedRisk(subscription, recommendation, risk: null);
        SeedRisk(subscription, recommendation, internet, SimulatedAssessmentStatus.NotApplicable, cause: "Exempt");
        var ruleId = await Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(conditions: new Dictionary<string, object?> { ["minimumRiskLevel"] = "Critical" }));

        var dryRun = await Rules.EvaluateAsync(integrationId, ruleId, "?dryRun=true");
        Assert.That(dryRun.Json["tickets"]!.AsArray().Select(t => (t!["resourceId"]!.GetValue<string>(), t["riskLevel"]!.GetValue<string>())),
            Is.EquivalentTo(new[] { (first, "Critical"), (second, "Critical") }), dryRun.ToString());

        await Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 2, waiting: 0);
        var stored = await Rules.StoredAssignmentsAsync(integrationId);
        Assert.That(stored.Select(a => a.ResourceId), Is.EquivalentTo(new[] { first, second }));
        var ticket = Harness.App.ServiceNow.ListTickets("incident").Single(t => t["correlation_id"] == stored.Single(a => a.ResourceId == first).Id);
        Assert.That(ticket["description"], Does.Contain("Risk level: Critical (Exposure to the Internet, Sensitive Data; 1 attack path)"));
    }

    [Test]
    public async Task A_rule_on_a_risk_factor_takes_the_findings_carrying_it_whatever_its_case()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = Rules.NewRecommendation(SimulatedSeverity.Low);
        var exposed = SeedRisk(subscription, recommendation, new SimulatedRisk("Medium") { Factors = ["Exposure to the Internet"] });
        SeedRisk(subscription, recommendation, new SimulatedRisk("Critical") { Factors = ["Sensitive Data"] });
        SeedRisk(subscription, recommendation, risk: null);
        var ruleId = await Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(conditions: new Dictionary<string, object?> { ["riskFactor"] = "exposure to the internet" }));

        var evaluation = await Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 1, waiting: 0);

        Assert.That(evaluation["tickets"]![0]!["resourceId"]!.GetValue<string>(), Is.EqualTo(exposed));
    }

    [Test]
    public async Task A_ticket_grouped_per_recommendation_carries_the_highest_risk_level_and_each_resources_own()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = Rules.NewRecommendation(SimulatedSeverity.Medium);
        var high = SeedRisk(subscription, recommendation, new SimulatedRisk("High") { Factors = ["Exposure to the Internet"] });
        var critical = SeedRisk(subscription, recommendation, new SimulatedRisk("Critical"));
        var none = SeedRisk(subscription, recommendation, risk: null);
        var body = RuleDriver.RuleBody(recommendation);
        body["grouping"] = "perRecommendation";
        var ruleId = await Rules.CreateRuleIdAsync(integrationId, body);

        await Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 3, waiting: 0);

        var sysId = (await Rules.StoredAssignmentsAsync(integrationId)).Select(a => a.Ticket.SysId).Distinct().Single()!;
        var description = Harness.App.ServiceNow.GetRecord("incident", sysId)!["description"];
        Assert.Multiple(() =>
        {
            Assert.That(description, Does.Contain("Severity: Medium\nRisk level: Critical (the highest of the resources)\n"));
            Assert.That(description, Does.Contain($"- {high} (risk level High)"));
            Assert.That(description, Does.Contain($"- {critical} (risk level Critical)"));
            Assert.That(description, Does.Contain($"- {none}\n").Or.EndWith($"- {none}"), "no risk, no note");
        });
    }

    [Test]
    public async Task A_severity_defender_gives_but_defendersnow_does_not_know_is_ticketed_at_the_highest_impact_recorded_on_the_run_and_logged_once()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = Guid.NewGuid().ToString("D");
        Harness.App.ResourceManager.State.SeedMetadata(new SimulatedAssessmentMetadata(recommendation, "A newer kind of finding", SimulatedSeverity.Low) { SeverityAsWritten = "Severe" });
        var resources = new[] { Rules.SeedFinding(subscription, recommendation), Rules.SeedFinding(subscription, recommendation) };
        var ruleId = await Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(conditions: new Dictionary<string, object?> { ["minimumSeverity"] = "Critical" }));

        var run = await Sync.SyncAsync(integrationId);

        var part = run["integrations"]![0]!;
        var stored = await Rules.StoredAssignmentsAsync(integrationId);
        var tickets = Harness.App.ServiceNow.ListTickets("incident").Where(t => stored.Any(a => a.Id == t["correlation_id"])).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(stored.Select(a => (a.ResourceId, a.RuleId)), Is.EquivalentTo(resources.Select(r => (r, (string?)ruleId))), "it meets even a Critical minimum");
            Assert.That(tickets.Select(t => (t["impact"], t["urgency"])), Is.EqualTo(new[] { ("1", "1"), ("1", "1") }));
            Assert.That(part["ruleTicketsBySeverity"]!["Severe"]!.GetValue<int>(), Is.EqualTo(2), run.ToJsonString());
            Assert.That(part["unrecognizedSeverities"]!.AsArray().Select(u => (u!["assessmentName"]!.GetValue<string>(), u["severity"]!.GetValue<string>())),
                Is.EqualTo(new[] { (recommendation, "Severe") }), run.ToJsonString());
            Assert.That(Harness.App.Logs.Entries.Count(e => e.Message.Contains(recommendation, StringComparison.Ordinal) && e.Message.Contains("Severe", StringComparison.Ordinal)), Is.EqualTo(1), "logged once");
        });
    }

    private string SeedRisk(
        string subscription, string recommendation, SimulatedRisk? risk, SimulatedAssessmentStatus status = SimulatedAssessmentStatus.Unhealthy, string? cause = null)
    {
        var resourceId = $"{subscription}/resourceGroups/rg-risk/providers/{RuleDriver.Vm}/res-{Guid.NewGuid():N}";
        Harness.App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(resourceId, recommendation, status) { Risk = risk, Cause = cause });
        return resourceId;
    }

    private static Dictionary<string, string?> SeverityByResource(JsonNode evaluation) =>
        evaluation["tickets"]!.AsArray().ToDictionary(t => t!["resourceId"]!.GetValue<string>(), t => t!["severity"]?.GetValue<string>());

    private static Dictionary<string, (int, int)> Matrix(JsonNode integration) =>
        integration["ticketPriorities"]!.AsObject().ToDictionary(p => p.Key, p => (p.Value!["impact"]!.GetValue<int>(), p.Value!["urgency"]!.GetValue<int>()));
}
