using System.Text.Json.Nodes;
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
public sealed class SeverityAndRiskTests
{
    private IntegrationHarness _harness = null!;
    private SyncDriver _sync = null!;
    private RuleDriver _rules = null!;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _harness = await IntegrationHarness.StartAsync(SyncDriver.AdjustSettings);
        _sync = new SyncDriver(_harness);
        _rules = new RuleDriver(_harness, _sync);
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _harness.DisposeAsync();

    [SetUp]
    public void MarkLogsAndClearFaults()
    {
        _harness.MarkLogsAndForgetResponses();
        _rules.ClearFaults();
    }

    [TearDown]
    public Task NoSecretInLogsResponsesOrTables() => _harness.AssertNoSecretInLogsResponsesOrTablesAsync();

    [Test]
    public async Task A_critical_finding_meets_a_high_minimum_gets_impact_and_urgency_1_and_shows_as_critical_in_dry_runs_sync_runs_and_assignments()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var critical = _rules.NewRecommendation(SimulatedSeverity.Critical);
        var high = _rules.NewRecommendation(SimulatedSeverity.High);
        var medium = _rules.NewRecommendation(SimulatedSeverity.Medium);
        var criticalResource = _rules.SeedFinding(subscription, critical);
        var highResource = _rules.SeedFinding(subscription, high);
        _rules.SeedFinding(subscription, medium);
        var ruleId = await _rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(conditions: new Dictionary<string, object?> { ["minimumSeverity"] = "High" }));

        var dryRun = await _rules.EvaluateAsync(integrationId, ruleId, "?dryRun=true");
        Assert.That(dryRun.Status, Is.EqualTo(200), dryRun.ToString());
        Assert.That(SeverityByResource(dryRun.Json), Is.EquivalentTo(new Dictionary<string, string?> { [criticalResource] = "Critical", [highResource] = "High" }));

        var run = await _sync.SyncAsync(integrationId);
        var part = run["integrations"]![0]!;
        Assert.Multiple(() =>
        {
            Assert.That(part["ruleTicketsOpened"]!.GetValue<int>(), Is.EqualTo(2), run.ToJsonString());
            Assert.That(part["ruleTicketsBySeverity"]!["Critical"]!.GetValue<int>(), Is.EqualTo(1), run.ToJsonString());
            Assert.That(part["ruleTicketsBySeverity"]!["High"]!.GetValue<int>(), Is.EqualTo(1), run.ToJsonString());
            Assert.That(part["unrecognizedSeverities"]!.AsArray(), Is.Empty, run.ToJsonString());
        });

        var stored = (await _rules.StoredAssignmentsAsync(integrationId)).Single(a => a.ResourceId == criticalResource);
        var shown = await _harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("GET", $"/api/assignments/{stored.Id}"), r => _sync.AssignmentFunctions.Get(r, stored.Id, CancellationToken.None)));
        var ticket = _harness.App.ServiceNow.ListTickets("incident").Single(t => t["correlation_id"] == stored.Id);
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
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var created = await _harness.GetAsync(integrationId);
        Assert.That(Matrix(created.Json), Is.EqualTo(new Dictionary<string, (int, int)>
        {
            ["Low"] = (3, 3),
            ["Medium"] = (2, 2),
            ["High"] = (1, 2),
            ["Critical"] = (1, 1),
        }), "the documented defaults");

        var updated = await _harness.UpdateAsync(integrationId, new Dictionary<string, object?>
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

        var critical = _rules.NewRecommendation(SimulatedSeverity.Critical);
        var resource = _rules.SeedFinding(subscription, critical);
        var ruleId = await _rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(critical));
        await _rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 1, waiting: 0);
        var stored = (await _rules.StoredAssignmentsAsync(integrationId)).Single();
        var ticket = _harness.App.ServiceNow.ListTickets("incident").Single(t => t["correlation_id"] == stored.Id);
        Assert.That((stored.ResourceId, ticket["impact"], ticket["urgency"]), Is.EqualTo((resource, "1", "2")));
    }

    [TestCase("Extreme", "impact", 1, "ticketPriorities.Extreme")]
    [TestCase("Critical", "impact", 4, "ticketPriorities.Critical.impact")]
    [TestCase("High", "urgency", 0, "ticketPriorities.High.urgency")]
    public async Task A_priority_matrix_with_an_unknown_severity_or_a_level_out_of_range_is_refused_naming_the_entry(string severity, string member, int value, string field)
    {
        var integrationId = await _harness.CreateIntegrationAsync(scope: RuleDriver.NewSubscription());
        var before = await StateSnapshot.TakeAsync(_harness.App);

        var response = await _harness.UpdateAsync(integrationId, new Dictionary<string, object?>
        {
            ["ticketPriorities"] = new Dictionary<string, object?> { [severity] = new Dictionary<string, object?> { [member] = value } },
        });

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(response.Json["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { field }), response.ToString());
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
    }

    private static Dictionary<string, string?> SeverityByResource(JsonNode evaluation) =>
        evaluation["tickets"]!.AsArray().ToDictionary(t => t!["resourceId"]!.GetValue<string>(), t => t!["severity"]?.GetValue<string>());

    private static Dictionary<string, (int, int)> Matrix(JsonNode integration) =>
        integration["ticketPriorities"]!.AsObject().ToDictionary(p => p.Key, p => (p.Value!["impact"]!.GetValue<int>(), p.Value!["urgency"]!.GetValue<int>()));
}
