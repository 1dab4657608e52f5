using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DefenderSnow.Simulators.Defender;

namespace DefenderSnow.Tests.Defender;

/// <summary>The simulator's subscription-wide assessment list and tenant-wide metadata list, in raw HTTP.</summary>
public class ResourceManagerAssessmentListTests : ResourceManagerSimulatorFixture
{
    private const string Subscription = "55555555-5555-4555-8555-555555555555";
    private const string Other = "66666666-6666-4666-8666-666666666666";
    private const string ListPath = $"/subscriptions/{Subscription}/providers/Microsoft.Security/assessments";
    private const string Version = "?api-version=2021-06-01";

    [SetUp]
    public void SetUp()
    {
        for (var i = 0; i < 5; i++)
        {
            Simulator.State.SeedAssessment(new SimulatedAssessment(Resource(Subscription, i), "rec-a", SimulatedAssessmentStatus.Unhealthy));
        }

        Simulator.State.SeedAssessment(new SimulatedAssessment(Resource(Other, 0), "rec-a", SimulatedAssessmentStatus.Unhealthy));
    }

    [Test]
    public async Task Pages_follow_the_page_size_and_hold_only_the_subscriptions_assessments()
    {
        Simulator.State.PageSize = 2;
        var ids = new List<string>();
        var pages = 0;
        string? next = ListPath + Version;
        while (next is not null)
        {
            using var response = await ResourceManagerHttp.SendAsync(Http, HttpMethod.Get, next);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            pages++;
            Assert.That(body["value"]!.AsArray(), Has.Count.LessThanOrEqualTo(2));
            ids.AddRange(body["value"]!.AsArray().Select(item => item!["properties"]!["resourceDetails"]!["id"]!.GetValue<string>()));
            next = body["nextLink"]?.GetValue<string>() is { } link ? new Uri(link).PathAndQuery : null;
        }

        Assert.Multiple(() =>
        {
            Assert.That(pages, Is.EqualTo(3));
            Assert.That(ids, Is.EquivalentTo(Enumerable.Range(0, 5).Select(i => Resource(Subscription, i))));
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task A_removed_assessment_is_no_longer_listed_and_its_subscription_stays_known()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.That(Simulator.State.RemoveAssessment(Resource(Subscription, i), "rec-a"), Is.True);
        }

        using var response = await ResourceManagerHttp.SendAsync(Http, HttpMethod.Get, ListPath + Version);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["value"]!.AsArray(), Is.Empty);
        });
    }

    [Test]
    public async Task The_control_endpoint_removes_assessments_as_when_their_resource_is_deleted()
    {
        using var removed = await Http.PostAsJsonAsync("/_sim/arm/assessments/remove", new[] { new { resourceId = Resource(Subscription, 0), assessmentName = "rec-a" } });
        using var list = await ResourceManagerHttp.SendAsync(Http, HttpMethod.Get, ListPath + Version);

        Assert.Multiple(async () =>
        {
            Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            var ids = JsonNode.Parse(await list.Content.ReadAsStringAsync())!["value"]!.AsArray()
                .Select(item => item!["properties"]!["resourceDetails"]!["id"]!.GetValue<string>());
            Assert.That(ids, Is.EquivalentTo(Enumerable.Range(1, 4).Select(i => Resource(Subscription, i))));
        });
    }

    [TestCase("/subscriptions/not-a-guid/providers/Microsoft.Security/assessments" + Version, HttpStatusCode.BadRequest, "InvalidSubscriptionId")]
    [TestCase("/subscriptions/77777777-7777-4777-8777-777777777777/providers/Microsoft.Security/assessments" + Version, HttpStatusCode.NotFound, "SubscriptionNotFound")]
    [TestCase(ListPath + "?api-version=2022-01-01-preview", HttpStatusCode.BadRequest, "NoRegisteredProviderFound")]
    [TestCase(ListPath, HttpStatusCode.BadRequest, "MissingApiVersionParameter")]
    [TestCase(ListPath + Version + "&$expand=metadata", HttpStatusCode.BadRequest, "InvalidExpandParameter")]
    [TestCase("/providers/Microsoft.Security/assessmentMetadata?api-version=2022-01-01-preview", HttpStatusCode.BadRequest, "NoRegisteredProviderFound")]
    public async Task A_list_request_resource_manager_refuses_is_refused_with_its_code(string pathAndQuery, HttpStatusCode status, string code)
    {
        using var response = await ResourceManagerHttp.SendAsync(Http, HttpMethod.Get, pathAndQuery);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(status));
            Assert.That(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>(), Is.EqualTo(code));
        });
    }

    [Test]
    public async Task Without_a_role_on_the_subscription_the_list_is_403_authorization_failed()
    {
        Simulator.State.RevokeRoles($"/subscriptions/{Subscription}");

        using var denied = await ResourceManagerHttp.SendAsync(Http, HttpMethod.Get, ListPath + Version);
        using var other = await ResourceManagerHttp.SendAsync(Http, HttpMethod.Get, $"/subscriptions/{Other}/providers/Microsoft.Security/assessments{Version}");

        Assert.Multiple(async () =>
        {
            Assert.That(denied.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await denied.Content.ReadAsStringAsync(), Does.Contain("AuthorizationFailed").And.Contain("Microsoft.Security/assessments/read"));
            Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task A_missing_token_is_401()
    {
        using var response = await ResourceManagerHttp.SendAsync(Http, HttpMethod.Get, ListPath + Version, authorize: false);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task The_metadata_list_pages_through_every_recommendation()
    {
        Simulator.State.PageSize = 1;
        Simulator.State.SeedMetadata(new SimulatedAssessmentMetadata("rec-a", "A", SimulatedSeverity.High));
        Simulator.State.SeedMetadata(new SimulatedAssessmentMetadata("rec-b", "B", SimulatedSeverity.Low));

        using var first = await ResourceManagerHttp.SendAsync(Http, HttpMethod.Get, "/providers/Microsoft.Security/assessmentMetadata" + Version);
        var firstBody = JsonNode.Parse(await first.Content.ReadAsStringAsync())!;
        using var second = await ResourceManagerHttp.SendAsync(Http, HttpMethod.Get, new Uri(firstBody["nextLink"]!.GetValue<string>()).PathAndQuery);
        var secondBody = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(firstBody["value"]![0]!["name"]!.GetValue<string>(), Is.EqualTo("rec-a"));
            Assert.That(firstBody["value"]![0]!["properties"]!["severity"]!.GetValue<string>(), Is.EqualTo("High"));
            Assert.That(secondBody["value"]![0]!["name"]!.GetValue<string>(), Is.EqualTo("rec-b"));
            Assert.That(secondBody["nextLink"], Is.Null);
        });
    }

    private static string Resource(string subscription, int i) =>
        $"/subscriptions/{subscription}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm{i}";
}
