using System.Net;
using System.Text.Json.Nodes;
using DefenderSnow.Simulators.Defender;

namespace DefenderSnow.Tests.Defender;

/// <summary>The simulator's Resources_List (a subscription's resources with their tags), in raw HTTP.</summary>
public class ResourceManagerResourceListTests : ResourceManagerSimulatorFixture
{
    private const string Subscription = "88888888-8888-4888-8888-888888888888";
    private const string ListPath = $"/subscriptions/{Subscription}/resources";
    private const string Version = "?api-version=2021-04-01";

    [SetUp]
    public void SetUp()
    {
        for (var i = 0; i < 3; i++)
        {
            Simulator.State.SeedAssessment(new SimulatedAssessment(Resource(i), "rec-a", SimulatedAssessmentStatus.Unhealthy));
        }

        Simulator.State.SetTags(Resource(0), new Dictionary<string, string> { ["owner"] = "alice@contoso.example", ["env"] = "prod" });
        Simulator.State.SetTags($"/subscriptions/{Subscription}/resourceGroups/rg/providers/Microsoft.Sql/servers/s1/databases/d1", new Dictionary<string, string> { ["env"] = "test" });
    }

    [Test]
    public async Task Pages_list_every_resource_with_its_type_and_tags_only_when_it_has_some()
    {
        Simulator.State.PageSize = 2;
        var items = new List<JsonNode>();
        string? next = ListPath + Version;
        while (next is not null)
        {
            using var response = await ResourceManagerHttp.SendAsync(Http, HttpMethod.Get, next);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            items.AddRange(body["value"]!.AsArray().Select(i => i!));
            next = body["nextLink"]?.GetValue<string>() is { } link ? new Uri(link).PathAndQuery : null;
        }

        var byId = items.ToDictionary(i => i["id"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
        Assert.Multiple(() =>
        {
            Assert.That(byId, Has.Count.EqualTo(4));
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.ListResources), Is.EqualTo(2));
            Assert.That(byId[Resource(0)]["tags"]!["owner"]!.GetValue<string>(), Is.EqualTo("alice@contoso.example"));
            Assert.That(byId[Resource(1)]["tags"], Is.Null, "an untagged resource has no tags member");
            Assert.That(byId[Resource(1)]["type"]!.GetValue<string>(), Is.EqualTo("Microsoft.Compute/virtualMachines"));
            Assert.That(byId.Values.Single(i => i["name"]!.GetValue<string>() == "d1")["type"]!.GetValue<string>(), Is.EqualTo("Microsoft.Sql/servers/databases"));
        });
    }

    [TestCase("/subscriptions/not-a-guid/resources" + Version, HttpStatusCode.BadRequest, "InvalidSubscriptionId")]
    [TestCase("/subscriptions/99999999-9999-4999-8999-999999999999/resources" + Version, HttpStatusCode.NotFound, "SubscriptionNotFound")]
    [TestCase(ListPath + "?api-version=2021-06-01", HttpStatusCode.BadRequest, "InvalidApiVersionParameter")]
    [TestCase(ListPath, HttpStatusCode.BadRequest, "MissingApiVersionParameter")]
    [TestCase(ListPath + Version + "&$filter=tagName%20eq%20%27env%27", HttpStatusCode.BadRequest, "InvalidQueryParameter")]
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

        Assert.Multiple(async () =>
        {
            Assert.That(denied.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await denied.Content.ReadAsStringAsync(), Does.Contain("AuthorizationFailed").And.Contain("Microsoft.Resources/subscriptions/resources/read"));
        });
    }

    [Test]
    public void Tag_names_differing_only_in_case_are_refused_as_resource_manager_refuses_them() =>
        Assert.That(
            () => Simulator.State.SetTags(Resource(1), new Dictionary<string, string> { ["Owner"] = "a", ["owner"] = "b" }),
            Throws.ArgumentException);

    private static string Resource(int i) =>
        $"/subscriptions/{Subscription}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm{i}";
}
