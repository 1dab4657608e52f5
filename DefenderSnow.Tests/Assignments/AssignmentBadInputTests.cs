using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Assignments;

/// <summary>
/// Every bad CreateAssignment input is a 4xx problem naming the field, and leaves Table Storage, Key Vault,
/// ServiceNow and Defender exactly as they were.
/// </summary>
public sealed class AssignmentBadInputTests : IUsesHarness
{
    private IntegrationHarness _harness = null!;
    private AssignmentDriver _assignments = null!;
    private string _integration = null!;
    private string _customized = null!;
    private string _resource = null!;

    public static IEnumerable<TestCaseData> BadBodies()
    {
        TestCaseData Case(string name, Action<Dictionary<string, object?>> change, int status, string field) =>
            new TestCaseData(change, status, field).SetName("Create_refuses_" + name);

        yield return Case("a_resource_id_that_is_not_an_ARM_id", b => b["resourceId"] = "vm1", 400, "resourceId");
        yield return Case("a_resource_id_with_dot_segments", b => b["resourceId"] = "/subscriptions/" + Guid.NewGuid() + "/../providers/x", 400, "resourceId");
        yield return Case("an_unknown_owner", b => b["assignedTo"] = "nobody@contoso.example", 400, "assignedTo");
        yield return Case("an_inactive_owner", b => b["assignedTo"] = "dave", 400, "assignedTo");
        yield return Case("an_owner_matching_two_users", b => b["assignedTo"] = "twin@contoso.example", 400, "assignedTo");
        yield return Case("an_owner_with_a_caret", b => b["assignedTo"] = "alice^ORactive=true", 400, "assignedTo");
        yield return Case("an_owner_with_a_comma", b => b["assignedTo"] = "alice,bob", 400, "assignedTo");
        yield return Case("an_owner_with_an_equals_sign", b => b["assignedTo"] = "user_name=alice", 400, "assignedTo");
        yield return Case("an_unknown_caller", b => b["caller"] = "nobody", 400, "caller");
        yield return Case("both_timeframe_and_due_date", b => b["dueDate"] = DateTimeOffset.UtcNow.AddDays(3), 400, "dueDate");
        yield return Case("neither_timeframe_nor_due_date", b => b.Remove("remediationTimeframeDays"), 400, "remediationTimeframeDays");
        yield return Case("a_due_date_in_the_past", b => { b.Remove("remediationTimeframeDays"); b["dueDate"] = DateTimeOffset.UtcNow.AddDays(-1); }, 400, "dueDate");
        yield return Case("a_timeframe_of_zero_days", b => b["remediationTimeframeDays"] = 0, 400, "remediationTimeframeDays");
        yield return Case("impact_0", b => b["impact"] = 0, 400, "impact");
        yield return Case("impact_4", b => b["impact"] = 4, 400, "impact");
        yield return Case("an_unknown_ticket_type", b => b["ticketType"] = "task", 400, "ticketType");
        yield return Case("an_unknown_member", b => b["assignee"] = "alice", 400, "assignee");
        yield return Case("a_field_the_integration_does_not_fill_in", b => { b["ticketType"] = "problem"; b["impact"] = 2; }, 400, "impact");
        yield return Case("an_unknown_assignment_group", b => b["assignmentGroup"] = "No Such Group", 400, "assignmentGroup");
        yield return Case("a_missing_assessment_name", b => b.Remove("assessmentName"), 400, "assessmentName");
        yield return Case("an_unknown_recommendation", b => b["assessmentName"] = Guid.NewGuid().ToString(), 422, "assessmentName");
    }

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartAppWithHostileUsersAndIntegrations()
    {
        _assignments = await AssignmentDriver.StartAsync();
        _harness = _assignments.Harness;
        _harness.App.ServiceNow.SeedUser(new ServiceNowSimulatorUser("dave", "dave@contoso.example", Active: false));
        _harness.App.ServiceNow.SeedUser(new ServiceNowSimulatorUser("twin1", "twin@contoso.example"));
        _harness.App.ServiceNow.SeedUser(new ServiceNowSimulatorUser("twin2", "twin@contoso.example"));
        _integration = await _harness.CreateIntegrationAsync();
        _customized = await _assignments.CreateCustomizedIntegrationAsync();
        _resource = _assignments.UnhealthyResource();
    }

    [TestCaseSource(nameof(BadBodies))]
    public async Task Create_refuses(Action<Dictionary<string, object?>> change, int status, string field)
    {
        var body = AssignmentDriver.AssignmentBody(_integration, _resource);
        change(body);
        await AssertRefusedAsync(body, status, field);
    }

    [TestCase("alice^ORactive=true")]
    [TestCase("alice,bob")]
    [TestCase("user_name=alice")]
    public async Task An_owner_that_could_change_a_ServiceNow_query_is_refused_before_ServiceNow_is_asked(string owner)
    {
        var body = AssignmentDriver.AssignmentBody(_integration, _resource);
        body["assignedTo"] = owner;
        var requests = _harness.App.ServiceNow.TotalRequests;

        var response = await AssertRefusedAsync(body, 400, "assignedTo");

        Assert.That(response.Json["errors"]!["assignedTo"]![0]!.GetValue<string>(), Does.Contain("'^', ',' or '='"));
        Assert.That(_harness.App.ServiceNow.TotalRequests, Is.EqualTo(requests));
    }

    [Test]
    public async Task Create_refuses_an_unknown_integration() =>
        await AssertRefusedAsync(AssignmentDriver.AssignmentBody(Guid.NewGuid().ToString("N"), _resource), 404, field: null);

    [Test]
    public async Task Create_refuses_a_resource_outside_the_scope() =>
        await AssertRefusedAsync(AssignmentDriver.AssignmentBody(_integration, _assignments.UnhealthyResource("/subscriptions/" + Guid.NewGuid())), 422, "resourceId");

    [TestCase(SimulatedAssessmentStatus.Healthy)]
    [TestCase(SimulatedAssessmentStatus.NotApplicable)]
    public async Task Create_refuses_a_recommendation_that_is_not_unhealthy(SimulatedAssessmentStatus status) =>
        await AssertRefusedAsync(AssignmentDriver.AssignmentBody(_integration, _assignments.UnhealthyResource(status: status)), 422, "assessmentName");

    [Test]
    public async Task Create_refuses_a_resource_Defender_has_not_assessed() =>
        await AssertRefusedAsync(AssignmentDriver.AssignmentBody(_integration, IntegrationHarness.SubscriptionScope + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/unassessed"), 422, "assessmentName");

    [Test]
    public async Task Create_refuses_a_161_character_short_description_in_customized_mode()
    {
        var body = AssignmentDriver.AssignmentBody(_customized, _resource);
        body["shortDescription"] = new string('x', 161);
        await AssertRefusedAsync(body, 400, "shortDescription");
    }

    [Test]
    public async Task Create_refuses_a_missing_short_description_in_customized_mode() =>
        await AssertRefusedAsync(AssignmentDriver.AssignmentBody(_customized, _resource), 400, "shortDescription");

    [Test]
    public async Task Create_refuses_an_integration_being_deleted()
    {
        var deleting = await _harness.CreateIntegrationAsync();
        await _assignments.CreateActiveAsync(deleting, _assignments.UnhealthyResource());

        // A delete that Resource Manager interrupts goes on in the background; the integration is being deleted meanwhile.
        _harness.App.ResourceManager.Faults.FailNext(20, 503, ResourceManagerOperations.DeleteGovernanceAssignment);
        var delete = await _harness.DeleteAsync(deleting);
        Assert.That(delete.Status, Is.EqualTo(202), delete.ToString());
        Assert.That(delete.Json["status"]!.GetValue<string>(), Is.EqualTo("deleting"));
        _harness.App.ResourceManager.Faults.Clear();

        var problem = await AssertRefusedAsync(AssignmentDriver.AssignmentBody(deleting, _assignments.UnhealthyResource()), 409, field: null);
        Assert.That(problem.Json["detail"]!.GetValue<string>(), Does.Contain("being deleted"));
    }

    [TestCase("", 400, "integrationId")]
    [TestCase("?integrationId={0}&status=open", 400, "status")]
    [TestCase("?integrationId={0}&status=1", 400, "status")]
    [TestCase("?integrationId={0}&top=0", 400, "top")]
    [TestCase("?integrationId={0}&top=201", 400, "top")]
    [TestCase("?integrationId={0}&resourceId=vm1", 400, "resourceId")]
    [TestCase("?integrationId=00000000000000000000000000000000", 404, null)]
    public async Task List_refuses_bad_queries(string query, int status, string? field)
    {
        var response = await _assignments.ListAssignmentsAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, query, _integration));

        Assert.That(response.Status, Is.EqualTo(status), response.ToString());
        if (field is not null)
        {
            Assert.That(response.Json["errors"]!.AsObject().Select(e => e.Key), Does.Contain(field));
        }
    }

    [Test]
    public async Task Update_refuses_bad_input_and_changes_nothing_anywhere()
    {
        var created = await _assignments.CreateActiveAsync(_integration, _assignments.UnhealthyResource());
        var id = created["id"]!.GetValue<string>();
        var sysId = created["ticket"]!["sysId"]!.GetValue<string>();
        var bodies = new (object Body, string Field)[]
        {
            (new { }, "body"),
            (new { dueDate = DateTimeOffset.UtcNow.AddDays(5), remediationTimeframeDays = 5 }, "dueDate"),
            (new { dueDate = DateTimeOffset.UtcNow.AddDays(-5) }, "dueDate"),
            (new { remediationTimeframeDays = 400 }, "remediationTimeframeDays"),
            (new { assignedTo = "nobody@contoso.example" }, "assignedTo"),
            (new { assignedTo = "dave" }, "assignedTo"),
            (new { assignedTo = "a,b" }, "assignedTo"),
            (new { owner = "alice" }, "owner"),
        };
        var before = await StateSnapshot.TakeAsync(_harness.App);
        var ticket = _harness.App.ServiceNow.GetRecord("incident", sysId)!["sys_mod_count"];
        var governance = _assignments.GovernanceOf(created["resourceId"]!.GetValue<string>(), id)!.Properties.ToJsonString();

        foreach (var (body, field) in bodies)
        {
            var response = await _assignments.UpdateAssignmentAsync(id, body);

            Assert.That(response.Status, Is.EqualTo(400), response.ToString());
            Assert.That(response.Json["errors"]!.AsObject().Select(e => e.Key), Does.Contain(field), response.ToString());
        }

        var unknown = await _assignments.UpdateAssignmentAsync(Guid.NewGuid().ToString("N"), new { gracePeriod = false });
        Assert.That(unknown.Status, Is.EqualTo(404), unknown.ToString());
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
        Assert.That(_harness.App.ServiceNow.GetRecord("incident", sysId)!["sys_mod_count"], Is.EqualTo(ticket));
        Assert.That(_assignments.GovernanceOf(created["resourceId"]!.GetValue<string>(), id)!.Properties.ToJsonString(), Is.EqualTo(governance));
    }

    private async Task<FunctionResponse> AssertRefusedAsync(Dictionary<string, object?> body, int status, string? field)
    {
        var before = await StateSnapshot.TakeAsync(_harness.App);
        var tickets = _assignments.AllTicketCount();
        var governance = _harness.App.ResourceManager.State.GovernanceAssignments.Count;

        var response = await _assignments.CreateAssignmentAsync(body);

        Assert.That(response.Status, Is.EqualTo(status), response.ToString());
        Assert.That(response.ContentType, Does.StartWith("application/problem+json"));
        if (field is not null)
        {
            Assert.That(response.Json["errors"]!.AsObject().Select(e => e.Key), Does.Contain(field), response.ToString());
        }

        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before), "Table Storage and Key Vault unchanged");
        Assert.That(_assignments.AllTicketCount(), Is.EqualTo(tickets), "no ticket");
        Assert.That(_harness.App.ResourceManager.State.GovernanceAssignments.Count, Is.EqualTo(governance), "no governance assignment");
        return response;
    }
}
