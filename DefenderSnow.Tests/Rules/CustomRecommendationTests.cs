using DefenderSnow.Functions.Assignments;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.Rules;

/// <summary>
/// Custom recommendations, whose metadata Defender keeps under the subscription they were created in, never tenant-wide:
/// assignments and rules may name them, their findings carry their name and severity, and a name neither the tenant nor
/// a subscription of the scope knows is still refused naming the field (422 for an assignment, 400 for a rule's condition).
/// </summary>
[TestFixture]
public sealed class CustomRecommendationTests : IUsesHarness
{
    private const string CustomName = "Storage accounts should use our own keys";

    private static readonly string[] AssessmentNameField = ["assessmentName"];
    private static readonly string[] FirstAssessmentNameField = ["conditions.assessmentNames[0]"];

    private SyncTestContext _context = null!;

    private IntegrationHarness Harness => _context.Harness;

    private ResourceManagerState State => _context.App.ResourceManager.State;

    [OneTimeSetUp]
    public async Task StartApp() => _context = await SyncTestContext.StartAsync();

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [Test]
    public async Task An_assignment_for_a_custom_recommendation_of_the_resources_subscription_is_created_with_its_name_and_severity()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await Harness.CreateIntegrationAsync(scope: subscription);
        var custom = SeedCustom(subscription, SimulatedSeverity.Critical);
        State.ResetRequestCounts();

        var assignment = await _context.Sync.Assignments.CreateAsync(integrationId, "incident", LiveAssignments.NewResourceId(subscription), custom);

        var ticket = _context.App.ServiceNow.ListTickets("incident").Single(t => t["correlation_id"] == assignment.Id);
        Assert.Multiple(() =>
        {
            Assert.That((assignment.Recommendation!.DisplayName, assignment.Recommendation.Severity), Is.EqualTo((CustomName, "Critical")));
            Assert.That(ticket["description"], Does.Contain("Severity: Critical"));
            Assert.That(State.RequestCount(ResourceManagerOperations.GetAssessmentMetadata), Is.EqualTo(1), "the tenant first, which knows built-ins only");
            Assert.That(State.RequestCount(ResourceManagerOperations.GetSubscriptionAssessmentMetadata), Is.EqualTo(1), "then the resource's subscription");
        });
    }

    [Test]
    public async Task Another_subscriptions_custom_recommendation_is_refused_naming_the_field()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await Harness.CreateIntegrationAsync(scope: subscription);
        var elsewhere = SeedCustom(RuleDriver.NewSubscription(), SimulatedSeverity.High);
        var resource = LiveAssignments.NewResourceId(subscription);
        State.SeedAssessment(new SimulatedAssessment(resource, elsewhere, SimulatedAssessmentStatus.Unhealthy));
        var body = new Dictionary<string, object?>
        {
            ["integrationId"] = integrationId,
            ["assessmentName"] = elsewhere,
            ["resourceId"] = resource,
            ["ticketType"] = "incident",
            ["assignedTo"] = SyncDriver.OwnerAEmail,
            ["caller"] = SyncDriver.OwnerA,
            ["remediationTimeframeDays"] = 30,
        };

        var refused = await Harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("POST", "/api/assignments", FunctionCall.Json(body)),
            r => Harness.App.Function<AssignmentFunctions>().Create(r, CancellationToken.None)));

        Assert.That(refused.Status, Is.EqualTo(422), refused.ToString());
        Assert.That(refused.Json["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(AssessmentNameField), refused.ToString());
    }

    [Test]
    public async Task A_rule_on_a_custom_recommendation_is_created_and_opens_its_findings_tickets_with_its_severity()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await Harness.CreateIntegrationAsync(scope: subscription);
        var custom = SeedCustom(subscription, SimulatedSeverity.Critical);
        var resource = _context.Rules.SeedFinding(subscription, custom);

        var ruleId = await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(conditions: new Dictionary<string, object?>
        {
            ["assessmentNames"] = new[] { custom },
            ["minimumSeverity"] = "Critical",
        }));
        await _context.Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 1, waiting: 0);

        var stored = (await _context.Rules.StoredAssignmentsAsync(integrationId)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(stored.ResourceId, Is.EqualTo(resource));
            Assert.That((stored.Recommendation!.DisplayName, stored.Recommendation.Severity), Is.EqualTo((CustomName, "Critical")));
        });
    }

    [Test]
    public async Task Under_a_management_group_a_rule_names_a_custom_recommendation_of_any_of_its_subscriptions_and_no_unknown_one()
    {
        var group = "mg-" + Guid.NewGuid().ToString("N")[..8];
        var first = Guid.NewGuid().ToString("D");
        var second = Guid.NewGuid().ToString("D");
        State.AddManagementGroup(new SimulatedManagementGroup(group, null));
        State.AddSubscription(new SimulatedSubscription(first, group));
        State.AddSubscription(new SimulatedSubscription(second, group));
        var body = Harness.ValidBody();
        body["scope"] = new Dictionary<string, object?> { ["type"] = "managementGroup", ["id"] = $"/providers/Microsoft.Management/managementGroups/{group}" };
        var integration = await Harness.CreateAsync(body);
        Assert.That(integration.Status, Is.EqualTo(201), integration.ToString());
        var integrationId = integration.Json["id"]!.GetValue<string>();
        var custom = SeedCustom("/subscriptions/" + second, SimulatedSeverity.Medium);

        var created = await _context.Rules.CreateRuleAsync(integrationId, RuleDriver.RuleBody(custom));
        State.ResetRequestCounts();
        var unknown = await _context.Rules.CreateRuleAsync(integrationId, RuleDriver.RuleBody(Guid.NewGuid().ToString("D")));

        Assert.Multiple(() =>
        {
            Assert.That(created.Status, Is.EqualTo(201), created.ToString());
            Assert.That(unknown.Status, Is.EqualTo(400), "a rule's conditions are refused as invalid input, as before");
            Assert.That(unknown.Json["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(FirstAssessmentNameField), unknown.ToString());
            Assert.That(State.RequestCount(ResourceManagerOperations.GetSubscriptionAssessmentMetadata), Is.EqualTo(2), "each subscription of the group asked once");
        });
    }

    /// <summary>A custom recommendation of <paramref name="subscriptionScope"/> (AssessmentsMetadata_CreateInSubscription), unknown to the tenant.</summary>
    private string SeedCustom(string subscriptionScope, SimulatedSeverity severity)
    {
        var name = Guid.NewGuid().ToString("D");
        State.SeedSubscriptionMetadata(subscriptionScope["/subscriptions/".Length..], new SimulatedAssessmentMetadata(name, CustomName, severity) { AssessmentType = "CustomerManaged" });
        return name;
    }
}
