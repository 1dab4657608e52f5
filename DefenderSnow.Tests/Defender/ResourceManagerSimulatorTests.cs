using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Simulators.Defender;

namespace DefenderSnow.Tests.Defender;

/// <summary>The simulator's own strictness, in raw HTTP: what it refuses must be what Resource Manager refuses.</summary>
public class ResourceManagerSimulatorTests : ResourceManagerSimulatorFixture
{
    private const string Subscription = "22222222-2222-2222-2222-222222222222";
    private const string ResourceId = $"/subscriptions/{Subscription}/resourceGroups/rg/providers/Microsoft.Sql/servers/sql1";
    private const string Recommendation = "1f2a3b4c-0000-4000-8000-00000000abcd";
    private const string AssignmentPath = $"{ResourceId}/providers/Microsoft.Security/assessments/{Recommendation}/governanceAssignments/key1";
    private const string GovernanceVersion = "?api-version=2022-01-01-preview";

    [SetUp]
    public void SetUp()
    {
        Simulator.State.SeedAssessment(new SimulatedAssessment(ResourceId, Recommendation, SimulatedAssessmentStatus.Unhealthy));
    }

    private static string Token(string audience = "https://management.azure.com") => ResourceManagerHttp.Token(audience);

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, string? body = null, string? token = null, bool authorize = true) =>
        ResourceManagerHttp.SendAsync(Http, method, pathAndQuery, body, token, authorize);

    private static async Task<(string? Code, string? Message)> ReadErrorAsync(HttpResponseMessage response)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (body["error"]?["code"]?.GetValue<string>(), body["error"]?["message"]?.GetValue<string>());
    }

    private static string Body(string properties) => "{\"properties\":{" + properties + "}}";

    private const string ValidProperties = """
        "owner":"owner@contoso.com","remediationDueDate":"2030-01-31T00:00:00Z","isGracePeriod":true,
        "remediationEta":{"eta":"2030-02-28T00:00:00Z","justification":"waiting for a window"},
        "governanceEmailNotification":{"disableManagerEmailNotification":false,"disableOwnerEmailNotification":true},
        "additionalData":{"ticketNumber":10042,"ticketLink":"https://contoso.service-now.com/x","ticketStatus":"New"}
        """;

    [Test]
    public async Task A_missing_token_is_401_authentication_failed()
    {
        using var response = await SendAsync(HttpMethod.Get, AssignmentPath + GovernanceVersion, authorize: false);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await ReadErrorAsync(response)).Code, Is.EqualTo("AuthenticationFailed"));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
        });
    }

    [TestCase("not-a-jwt", "InvalidAuthenticationToken")]
    [TestCase("a.b.c", "InvalidAuthenticationToken")]
    public async Task A_bad_token_is_401_with_resource_managers_code(string token, string code)
    {
        using var response = await SendAsync(HttpMethod.Get, AssignmentPath + GovernanceVersion, token: token);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await ReadErrorAsync(response)).Code, Is.EqualTo(code));
        });
    }

    [Test]
    public async Task A_token_for_key_vault_is_401_wrong_audience()
    {
        using var response = await SendAsync(HttpMethod.Get, AssignmentPath + GovernanceVersion, token: Token("https://vault.azure.net"));

        Assert.That((await ReadErrorAsync(response)).Code, Is.EqualTo("InvalidAuthenticationTokenAudience"));
    }

    [TestCase("", "MissingApiVersionParameter")]
    [TestCase("?api-version=", "MissingApiVersionParameter")]
    [TestCase("?api-version=latest", "InvalidApiVersionParameter")]
    [TestCase("?api-version=2021-06-01", "NoRegisteredProviderFound")]
    [TestCase("?api-version=2099-01-01-preview", "NoRegisteredProviderFound")]
    public async Task A_missing_or_unknown_api_version_is_400(string query, string code)
    {
        using var response = await SendAsync(HttpMethod.Get, AssignmentPath + query);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await ReadErrorAsync(response)).Code, Is.EqualTo(code));
        });
    }

    [TestCase($"{ResourceId}/providers/Microsoft.Security/assessments/{Recommendation}?api-version=2022-01-01-preview")]
    [TestCase("/providers/Microsoft.Management/managementGroups/root/descendants?api-version=2021-06-01")]
    [TestCase($"/providers/Microsoft.Security/assessmentMetadata/{Recommendation}?api-version=2020-05-01")]
    public async Task Each_endpoint_accepts_only_its_own_api_versions(string pathAndQuery)
    {
        using var response = await SendAsync(HttpMethod.Get, pathAndQuery);

        Assert.That((await ReadErrorAsync(response)).Code, Is.EqualTo("NoRegisteredProviderFound"));
    }

    [Test]
    public async Task A_valid_assignment_is_created_201_then_replaced_200_then_deleted_200_then_204()
    {
        using var created = await SendAsync(HttpMethod.Put, AssignmentPath + GovernanceVersion, Body(ValidProperties));
        using var replaced = await SendAsync(HttpMethod.Put, AssignmentPath + GovernanceVersion, Body(ValidProperties));
        var createdBody = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        using var deleted = await SendAsync(HttpMethod.Delete, AssignmentPath + GovernanceVersion);
        using var absent = await SendAsync(HttpMethod.Delete, AssignmentPath + GovernanceVersion);

        Assert.Multiple(() =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(createdBody["type"]!.GetValue<string>(), Is.EqualTo("Microsoft.Security/assessments/governanceAssignments"));
            Assert.That(createdBody["name"]!.GetValue<string>(), Is.EqualTo("key1"));
            Assert.That(createdBody["properties"]!["additionalData"]!["ticketNumber"]!.GetValue<int>(), Is.EqualTo(10042));
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(absent.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        });
    }

    [TestCase("\"owner\":\"owner@contoso.com\"", TestName = "Without remediationDueDate")]
    [TestCase("\"remediationDueDate\":null", TestName = "With a null remediationDueDate")]
    [TestCase("\"remediationDueDate\":\"next week\"", TestName = "With a remediationDueDate that is not a date-time")]
    [TestCase("\"remediationDueDate\":20300131", TestName = "With a numeric remediationDueDate")]
    [TestCase("\"remediationDueDate\":\"2030-01-31T00:00:00Z\",\"additionalData\":{\"ticketNumber\":-1}", TestName = "With a negative ticketNumber")]
    [TestCase("\"remediationDueDate\":\"2030-01-31T00:00:00Z\",\"additionalData\":{\"ticketNumber\":10042.5}", TestName = "With a fractional ticketNumber")]
    [TestCase("\"remediationDueDate\":\"2030-01-31T00:00:00Z\",\"additionalData\":{\"ticketNumber\":10042.0}", TestName = "With a ticketNumber written as a decimal")]
    [TestCase("\"remediationDueDate\":\"2030-01-31T00:00:00Z\",\"additionalData\":{\"ticketNumber\":\"INC0010042\"}", TestName = "With a ticketNumber that is a string")]
    [TestCase("\"remediationDueDate\":\"2030-01-31T00:00:00Z\",\"additionalData\":{\"ticketNumber\":2147483648}", TestName = "With a ticketNumber beyond int32")]
    [TestCase("\"remediationDueDate\":\"2030-01-31T00:00:00Z\",\"remediationEta\":{\"justification\":\"later\"}", TestName = "With a remediationEta lacking eta")]
    [TestCase("\"remediationDueDate\":\"2030-01-31T00:00:00Z\",\"remediationEta\":{\"eta\":\"2030-02-28T00:00:00Z\"}", TestName = "With a remediationEta lacking justification")]
    [TestCase("\"remediationDueDate\":\"2030-01-31T00:00:00Z\",\"remediationEta\":{}", TestName = "With an empty remediationEta")]
    [TestCase("\"remediationDueDate\":\"2030-01-31T00:00:00Z\",\"isGracePeriod\":\"yes\"", TestName = "With an isGracePeriod that is not a boolean")]
    public async Task An_invalid_governance_assignment_is_400_in_resource_managers_shape_and_not_stored(string properties)
    {
        using var response = await SendAsync(HttpMethod.Put, AssignmentPath + GovernanceVersion, Body(properties));
        var (code, message) = await ReadErrorAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(code, Is.EqualTo("InvalidRequestContent"));
            Assert.That(message, Is.Not.Empty);
            Assert.That(Simulator.State.GovernanceAssignments, Is.Empty);
        });
    }

    [TestCase("not json")]
    [TestCase("[]")]
    [TestCase("{}")]
    [TestCase("{\"properties\":\"x\"}")]
    public async Task A_body_that_is_not_a_resource_is_400(string body)
    {
        using var response = await SendAsync(HttpMethod.Put, AssignmentPath + GovernanceVersion, body);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await ReadErrorAsync(response)).Code, Is.EqualTo("InvalidRequestContent"));
        });
    }

    [Test]
    public async Task The_ticket_number_zero_and_the_largest_int32_are_accepted()
    {
        using var zero = await SendAsync(HttpMethod.Put, AssignmentPath + GovernanceVersion,
            Body("\"remediationDueDate\":\"2030-01-31T00:00:00Z\",\"additionalData\":{\"ticketNumber\":0}"));
        using var largest = await SendAsync(HttpMethod.Put, AssignmentPath.Replace("key1", "key2") + GovernanceVersion,
            Body("\"remediationDueDate\":\"2030-01-31T00:00:00Z\",\"additionalData\":{\"ticketNumber\":2147483647}"));

        Assert.Multiple(() =>
        {
            Assert.That(zero.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(largest.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        });
    }

    [Test]
    public async Task An_assignment_under_a_malformed_subscription_is_400()
    {
        using var response = await SendAsync(HttpMethod.Get,
            $"/subscriptions/nope/providers/Microsoft.Security/assessments/{Recommendation}/governanceAssignments/k{GovernanceVersion}");

        Assert.That((await ReadErrorAsync(response)).Code, Is.EqualTo("InvalidSubscriptionId"));
    }

    [Test]
    public async Task Injected_throttling_carries_retry_after_and_is_counted()
    {
        Simulator.Faults.FailNext(1, 429, retryAfter: TimeSpan.FromSeconds(1));

        using var throttled = await SendAsync(HttpMethod.Get, AssignmentPath + GovernanceVersion);
        using var next = await SendAsync(HttpMethod.Get, AssignmentPath + GovernanceVersion);

        Assert.Multiple(async () =>
        {
            Assert.That(throttled.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(throttled.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That((await ReadErrorAsync(throttled)).Code, Is.EqualTo("TooManyRequests"));
            Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.GetGovernanceAssignment), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task The_control_endpoints_seed_and_report_overHttp()
    {
        const string child = "33333333-3333-3333-3333-333333333333";
        using var groups = await Http.PostAsJsonAsync("/_sim/arm/managementGroups", new[]
        {
            new { name = "root", parent = (string?)null },
            new { name = "team", parent = (string?)"root" },
        });
        using var subscriptions = await Http.PostAsJsonAsync("/_sim/arm/subscriptions", new[] { new { subscriptionId = child, parent = "team" } });
        using var assessments = await Http.PostAsJsonAsync("/_sim/arm/assessments", new[]
        {
            new { resourceId = $"/subscriptions/{child}/resourceGroups/rg/providers/Microsoft.Web/sites/web", assessmentName = Recommendation, status = "Healthy" },
        });
        using var descendants = await SendAsync(HttpMethod.Get, "/providers/Microsoft.Management/managementGroups/root/descendants?api-version=2020-05-01");
        var counts = await Http.GetFromJsonAsync<Dictionary<string, int>>("/_sim/arm/requests");
        using var badFault = await Http.PostAsJsonAsync("/_sim/arm/faults", new { kind = "fail", status = 200 });

        Assert.Multiple(async () =>
        {
            Assert.That(groups.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(subscriptions.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(assessments.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            var value = JsonNode.Parse(await descendants.Content.ReadAsStringAsync())!["value"]!.AsArray();
            Assert.That(value.Select(v => v!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "team", child }));
            Assert.That(counts![ResourceManagerOperations.ListManagementGroupDescendants], Is.EqualTo(1));
            Assert.That(badFault.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }
}
