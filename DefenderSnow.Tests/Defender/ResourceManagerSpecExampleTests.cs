using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Simulators.Defender;

namespace DefenderSnow.Tests.Defender;

/// <summary>
/// The simulator's requests and answers held against Microsoft's own examples from <c>azure-rest-api-specs</c>
/// (copied under <c>Defender/SpecExamples</c>, sources in <c>SOURCES.md</c>): what an example sends is accepted, and
/// what the simulator answers has the example's shape and values.
/// </summary>
[TestFixture]
public sealed class ResourceManagerSpecExampleTests : ResourceManagerSimulatorFixture
{
    private static readonly string[] IdNameType = ["id", "name", "type"];
    private static readonly string[] ResourceDetailsDisplayNameStatusAdditionalData = ["resourceDetails", "displayName", "status", "additionalData"];

    [Test]
    public async Task The_governance_assignment_example_is_accepted_and_answered_as_in_the_example()
    {
        var example = Example("PutGovernanceAssignment_example.json");
        var parameters = example["parameters"]!;
        var scope = "/" + parameters["scope"]!.GetValue<string>();
        var assessment = parameters["assessmentName"]!.GetValue<string>();
        var key = parameters["assignmentKey"]!.GetValue<string>();
        Simulator.State.SeedAssessment(new SimulatedAssessment(scope, assessment, SimulatedAssessmentStatus.Unhealthy));
        var path = $"{scope}/providers/Microsoft.Security/assessments/{assessment}/governanceAssignments/{key}?api-version={parameters["api-version"]}";

        using var created = await SendAsync(HttpMethod.Put, path, parameters["governanceAssignment"]!.ToJsonString());
        using var replaced = await SendAsync(HttpMethod.Put, path, parameters["governanceAssignment"]!.ToJsonString());
        using var read = await SendAsync(HttpMethod.Get, path);

        Assert.Multiple(async () =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            AssertSameJson(await BodyAsync(created), example["responses"]!["201"]!["body"]!);
            Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            AssertSameJson(await BodyAsync(replaced), example["responses"]!["200"]!["body"]!);
            AssertSameJson(await BodyAsync(read), example["responses"]!["200"]!["body"]!);
        });
    }

    [Test]
    public async Task The_assessment_example_is_answered_with_its_shape_and_values()
    {
        var example = Example("GetAssessmentWithExpand_example.json");
        var expected = example["responses"]!["200"]!["body"]!;
        var properties = expected["properties"]!;
        var resourceId = "/" + example["parameters"]!["resourceId"]!.GetValue<string>();
        var name = example["parameters"]!["assessmentName"]!.GetValue<string>();
        Simulator.State.SeedAssessment(new SimulatedAssessment(resourceId, name, SimulatedAssessmentStatus.NotApplicable)
        {
            DisplayName = properties["displayName"]!.GetValue<string>(),
            Cause = properties["status"]!["cause"]!.GetValue<string>(),
            Description = properties["status"]!["description"]!.GetValue<string>(),
            AdditionalData = properties["additionalData"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()),
        });

        using var response = await SendAsync(HttpMethod.Get, $"{resourceId}/providers/Microsoft.Security/assessments/{name}?api-version=2021-06-01&$expand=links");
        var actual = await BodyAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            foreach (var field in IdNameType)
            {
                AssertSameJson(actual[field]!, expected[field]!);
            }

            foreach (var field in ResourceDetailsDisplayNameStatusAdditionalData)
            {
                AssertSameJson(actual["properties"]![field]!, properties[field]!);
            }

            Assert.That(actual["properties"]!["links"]!["azurePortalUri"]!.GetValue<string>(), Does.EndWith($"#blade/Microsoft_Azure_Security/RecommendationsBlade/assessmentKey/{name}"));
        });
    }

    [Test]
    public async Task The_assessment_metadata_example_is_answered_with_its_shape_and_values()
    {
        var expected = Example("GetAssessmentsMetadata_example.json")["responses"]!["200"]!["body"]!;
        var properties = expected["properties"]!;
        var name = expected["name"]!.GetValue<string>();
        Simulator.State.SeedMetadata(new SimulatedAssessmentMetadata(name, properties["displayName"]!.GetValue<string>(), SimulatedSeverity.Medium)
        {
            Description = properties["description"]!.GetValue<string>(),
            RemediationDescription = properties["remediationDescription"]!.GetValue<string>(),
            Categories = [.. properties["categories"]!.AsArray().Select(c => c!.GetValue<string>())],
            UserImpact = properties["userImpact"]!.GetValue<string>(),
            ImplementationEffort = properties["implementationEffort"]!.GetValue<string>(),
            Threats = [.. properties["threats"]!.AsArray().Select(t => t!.GetValue<string>())],
            PolicyDefinitionId = properties["policyDefinitionId"]!.GetValue<string>(),
        });

        using var response = await SendAsync(HttpMethod.Get, $"/providers/Microsoft.Security/assessmentMetadata/{name}?api-version=2021-06-01");
        var actual = await BodyAsync(response);

        Assert.Multiple(() =>
        {
            foreach (var field in IdNameType)
            {
                AssertSameJson(actual[field]!, expected[field]!);
            }

            // Every property the simulator sends is one the example (or, for "preview", the specification) has, with its value.
            foreach (var (field, value) in actual["properties"]!.AsObject())
            {
                if (field == "preview")
                {
                    continue;
                }

                Assert.That(properties.AsObject().ContainsKey(field), Is.True, field);
                AssertSameJson(value!, properties[field]!);
            }
        });
    }

    [Test]
    public async Task The_management_group_descendants_example_is_answered_as_in_the_example()
    {
        var example = Example("GetDescendants.json");
        var expected = example["responses"]!["200"]!["body"]!;
        var root = example["parameters"]!["groupId"]!.GetValue<string>();
        Simulator.State.AddManagementGroup(new SimulatedManagementGroup(root, null));
        Simulator.State.AddManagementGroup(new SimulatedManagementGroup("20000000-0001-0000-0000-000000000000", root, "Group 1"));
        Simulator.State.AddSubscription(new SimulatedSubscription("20000000-0004-0000-0000-000000000000", root, "Subscription 4"));

        using var response = await SendAsync(HttpMethod.Get, $"/providers/Microsoft.Management/managementGroups/{root}/descendants?api-version={example["parameters"]!["api-version"]}");
        var actual = await BodyAsync(response);

        AssertSameJson(actual["value"]!, expected["value"]!);
        Assert.That(actual["nextLink"], Is.Null, "no next page, as the example's null nextLink");
    }

    private static JsonNode Example(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Defender", "SpecExamples", file)))!;

    private static void AssertSameJson(JsonNode actual, JsonNode expected) =>
        Assert.That(JsonNode.DeepEquals(actual, expected), Is.True, $"expected {expected.ToJsonString()}\n but was {actual.ToJsonString()}");

    private static async Task<JsonNode> BodyAsync(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, string? body = null) =>
        ResourceManagerHttp.SendAsync(Http, method, pathAndQuery, body);
}
