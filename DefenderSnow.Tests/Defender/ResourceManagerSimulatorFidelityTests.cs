using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.Hosting;

namespace DefenderSnow.Tests.Defender;

/// <summary>
/// The Resource Manager simulator refuses what Resource Manager refuses beyond throttling (issue 9): 403
/// <c>AuthorizationFailed</c> where the identity has no role, 415 for a body not declared as JSON, 404 for a missing
/// parent, 409 conflicts; and its shapes match the official examples of the specifications.
/// </summary>
[TestFixture]
public sealed class ResourceManagerSimulatorFidelityTests : ResourceManagerSimulatorFixture
{
    private const string Subscription = "22222222-2222-2222-2222-222222222222";
    private const string ResourceId = $"/subscriptions/{Subscription}/resourceGroups/rg/providers/Microsoft.Sql/servers/sql1";
    private const string Recommendation = "1f2a3b4c-0000-4000-8000-00000000abcd";
    private const string AssignmentPath = $"{ResourceId}/providers/Microsoft.Security/assessments/{Recommendation}/governanceAssignments/key1?api-version=2022-01-01-preview";
    private const string Body = """{"properties":{"owner":"o@contoso.com","remediationDueDate":"2030-01-01T00:00:00Z"}}""";

    [SetUp]
    public void Seed()
    {
        Simulator.State.AddManagementGroup(new SimulatedManagementGroup("root", null));
        Simulator.State.AddManagementGroup(new SimulatedManagementGroup("team", "root"));
        Simulator.State.AddSubscription(new SimulatedSubscription(Subscription, "team"));
        Simulator.State.SeedAssessment(new SimulatedAssessment(ResourceId, Recommendation, SimulatedAssessmentStatus.Unhealthy));
    }

    [TestCase($"/subscriptions/{Subscription}")]
    [TestCase("/providers/Microsoft.Management/managementGroups/team")]
    [TestCase(ResourceId)]
    public async Task Without_a_role_at_the_scope_or_above_a_write_is_403_AuthorizationFailed_naming_action_and_scope(string revoked)
    {
        Simulator.State.RevokeRoles(revoked);

        using var response = await SendAsync(HttpMethod.Put, AssignmentPath, Body);
        var error = await ErrorAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(error["code"]!.GetValue<string>(), Is.EqualTo("AuthorizationFailed"));
            Assert.That(error["message"]!.GetValue<string>(), Does.Contain("perform action 'Microsoft.Security/assessments/governanceAssignments/write' over scope '/subscriptions/"));
            Assert.That(error["message"]!.GetValue<string>(), Does.Contain("'00000000-0000-0000-0000-00000000d5e0'"), "the caller's object id");
            Assert.That(Simulator.State.GovernanceAssignments, Is.Empty);
        });
    }

    [Test]
    public async Task A_role_taken_elsewhere_does_not_matter_and_a_restored_role_works_again()
    {
        Simulator.State.RevokeRoles("/subscriptions/33333333-3333-3333-3333-333333333333");
        using var elsewhere = await SendAsync(HttpMethod.Put, AssignmentPath, Body);
        Simulator.State.RevokeRoles("/providers/Microsoft.Management/managementGroups/root");
        using var denied = await SendAsync(HttpMethod.Get, AssignmentPath);
        Simulator.State.RestoreRoles();
        using var restored = await SendAsync(HttpMethod.Get, AssignmentPath);

        Assert.That(elsewhere.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(denied.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(restored.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Roles_can_be_revoked_and_restored_over_the_control_endpoints()
    {
        using var revoke = await Http.PostAsync("/_sim/arm/roles/revoke", new StringContent($$"""{"scope":"/subscriptions/{{Subscription}}"}""", Encoding.UTF8, "application/json"));
        using var denied = await SendAsync(HttpMethod.Get, AssignmentPath);
        using var restore = await Http.PostAsync("/_sim/arm/roles/restore", null);
        using var allowed = await SendAsync(HttpMethod.Get, AssignmentPath);

        Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(denied.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(restore.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "no assignment yet, but no longer forbidden");
    }

    [TestCase(null)]
    [TestCase("text/plain")]
    [TestCase("application/x-www-form-urlencoded")]
    public async Task A_put_whose_body_is_not_declared_as_JSON_is_415(string? contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, AssignmentPath) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body)) };
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ResourceManagerHttp.Token());
        using var response = await Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        Assert.That((await ErrorAsync(response))["code"]!.GetValue<string>(), Is.EqualTo("UnsupportedMediaType"));
        Assert.That(Simulator.State.GovernanceAssignments, Is.Empty);
    }

    [Test]
    public async Task A_put_under_an_assessment_that_does_not_exist_is_404_ParentResourceNotFound()
    {
        using var response = await SendAsync(HttpMethod.Put, AssignmentPath.Replace(Recommendation, "00000000-0000-0000-0000-000000000009", StringComparison.Ordinal), Body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await ErrorAsync(response))["code"]!.GetValue<string>(), Is.EqualTo("ParentResourceNotFound"));
    }

    [Test]
    public async Task An_injected_conflict_is_409_Conflict_and_fault_filters_stop_at_a_name_boundary()
    {
        Simulator.Faults.FailNext(1, 409, ResourceManagerOperations.PutGovernanceAssignment);
        Simulator.Faults.FailNext(1, 503, ResourceManagerOperations.GetAssessment);
        using var conflict = await SendAsync(HttpMethod.Put, AssignmentPath, Body);
        Simulator.State.SeedMetadata(new SimulatedAssessmentMetadata(Recommendation, "Name", SimulatedSeverity.Low));
        using var metadata = await SendAsync(HttpMethod.Get, $"/providers/Microsoft.Security/assessmentMetadata/{Recommendation}?api-version=2021-06-01");

        Assert.That(conflict.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((await ErrorAsync(conflict))["code"]!.GetValue<string>(), Is.EqualTo("Conflict"));
        Assert.That(metadata.StatusCode, Is.EqualTo(HttpStatusCode.OK), "GetAssessment does not name GetAssessmentMetadata");
        Simulator.Faults.Clear();
    }

    private static async Task<JsonObject> ErrorAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.AsObject();

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, string? body = null) =>
        ResourceManagerHttp.SendAsync(Http, method, pathAndQuery, body);
}
