using System.Net;
using System.Text.Json.Nodes;
using DefenderSnow.Simulators.Defender;

namespace DefenderSnow.Tests.Defender;

/// <summary>
/// The simulator answers each assessments api-version in its own shape: 2025-05-04 with <c>properties.risk</c> (held
/// against the 2025-05-04 examples under <c>SpecExamples</c>, see <c>SOURCES.md</c>), 2021-06-01 without it; Critical
/// severity is served; a version it does not serve is refused as Resource Manager refuses it.
/// </summary>
[TestFixture]
public sealed class AssessmentsApiVersionTests : ResourceManagerSimulatorFixture
{
    private const string Subscription = "20ff7fc3-e762-44dd-bd96-b71116dcdc23";

    private static readonly string[] IdNameType = ["id", "name", "type"];
    private static readonly string[] PropertiesCompared = ["status", "displayName", "additionalData", "resourceDetails"];
    private static readonly string[] RiskMembers = ["level", "riskFactors", "attackPathsReferences", "isContextualRisk"];

    [Test]
    public async Task The_2025_05_04_assessment_example_is_answered_with_its_risk_and_status()
    {
        var example = SpecExample.Read("GetAssessment_2025-05-04_reconstructed.json");
        var expected = example["responses"]!["200"]!["body"]!;
        SeedFrom(example);

        using var response = await GetAsync($"/{example["parameters"]!["resourceId"]}/providers/Microsoft.Security/assessments/{example["parameters"]!["assessmentName"]}?api-version=2025-05-04");
        var actual = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            foreach (var field in IdNameType)
            {
                SpecExample.AssertSameJson(actual[field]!, expected[field]!);
            }

            foreach (var field in PropertiesCompared)
            {
                SpecExample.AssertSameJson(actual["properties"]![field]!, expected["properties"]![field]!);
            }

            var risk = actual["properties"]!["risk"]!;
            var expectedRisk = expected["properties"]!["risk"]!;
            foreach (var field in RiskMembers)
            {
                SpecExample.AssertSameJson(risk[field]!, expectedRisk[field]!);
            }
        });
    }

    [Test]
    public async Task The_2021_06_01_answers_have_no_risk_and_the_2025_05_04_list_has_it()
    {
        var resource = $"/subscriptions/{Subscription}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1";
        Simulator.State.SeedAssessment(new SimulatedAssessment(resource, "rec", SimulatedAssessmentStatus.Unhealthy) { Risk = new SimulatedRisk("High") { Factors = ["Sensitive Data"] } });
        var list = $"/subscriptions/{Subscription}/providers/Microsoft.Security/assessments";
        var single = $"{resource}/providers/Microsoft.Security/assessments/rec";

        var oldList = await JsonAsync($"{list}?api-version=2021-06-01");
        var oldSingle = await JsonAsync($"{single}?api-version=2021-06-01");
        var newList = await JsonAsync($"{list}?api-version=2025-05-04");

        Assert.Multiple(() =>
        {
            Assert.That(oldList["value"]![0]!["properties"]!.AsObject().ContainsKey("risk"), Is.False);
            Assert.That(oldSingle["properties"]!.AsObject().ContainsKey("risk"), Is.False);
            Assert.That(newList["value"]![0]!["properties"]!["risk"]!["level"]!.GetValue<string>(), Is.EqualTo("High"));
            Assert.That(newList["value"]![0]!["properties"]!["risk"]!["riskFactors"]![0]!.GetValue<string>(), Is.EqualTo("Sensitive Data"));
        });
    }

    [Test]
    public async Task The_2025_05_04_metadata_list_example_is_answered_with_its_values_and_critical_is_served()
    {
        var expected = SpecExample.Read("ListAssessmentsMetadata_2025-05-04_example.json")["responses"]!["200"]!["body"]!["value"]!.AsArray();
        foreach (var item in expected)
        {
            var p = item!["properties"]!;
            Simulator.State.SeedMetadata(new SimulatedAssessmentMetadata(item["name"]!.GetValue<string>(), p["displayName"]!.GetValue<string>(), Enum.Parse<SimulatedSeverity>(p["severity"]!.GetValue<string>()))
            {
                Description = p["description"]!.GetValue<string>(),
                RemediationDescription = p["remediationDescription"]!.GetValue<string>(),
                Categories = [.. p["categories"]!.AsArray().Select(c => c!.GetValue<string>())],
                Threats = [.. p["threats"]!.AsArray().Select(t => t!.GetValue<string>())],
                AssessmentType = p["assessmentType"]!.GetValue<string>(),
                PolicyDefinitionId = p["policyDefinitionId"]?.GetValue<string>(),
                Preview = p["preview"]?.GetValue<bool>() ?? false,
            });
        }

        Simulator.State.SeedMetadata(new SimulatedAssessmentMetadata("zz-critical", "A critical one", SimulatedSeverity.Critical));

        var actual = (await JsonAsync("/providers/Microsoft.Security/assessmentMetadata?api-version=2025-05-04"))["value"]!.AsArray();

        Assert.Multiple(() =>
        {
            foreach (var item in expected)
            {
                var served = actual.Single(a => a!["name"]!.GetValue<string>() == item!["name"]!.GetValue<string>())!;
                SpecExample.AssertSameJson(served["id"]!, item!["id"]!);
                foreach (var (field, value) in item["properties"]!.AsObject())
                {
                    SpecExample.AssertSameJson(served["properties"]![field]!, value!);
                }
            }

            Assert.That(actual.Single(a => a!["name"]!.GetValue<string>() == "zz-critical")!["properties"]!["severity"]!.GetValue<string>(), Is.EqualTo("Critical"));
        });
    }

    [TestCase("/subscriptions/" + Subscription + "/providers/Microsoft.Security/assessments?api-version=2024-01-01", "NoRegisteredProviderFound", "2025-05-04")]
    [TestCase("/providers/Microsoft.Security/assessmentMetadata?api-version=2024-01-01", "NoRegisteredProviderFound", "2025-05-04")]
    [TestCase("/subscriptions/" + Subscription + "/providers/Microsoft.Security/assessments?api-version=newest", "InvalidApiVersionParameter", "2025-05-04")]
    [TestCase("/subscriptions/" + Subscription + "/resources?api-version=2025-05-04", "InvalidApiVersionParameter", "2021-04-01,2022-09-01")]
    public async Task A_version_the_type_does_not_serve_is_refused_with_resource_managers_code_and_the_supported_versions(string pathAndQuery, string code, string listed)
    {
        Simulator.State.SeedAssessment(new SimulatedAssessment($"/subscriptions/{Subscription}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1", "rec", SimulatedAssessmentStatus.Healthy));

        using var response = await GetAsync(pathAndQuery);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(error["code"]!.GetValue<string>(), Is.EqualTo(code));
            Assert.That(error["message"]!.GetValue<string>(), Does.Contain(listed));
        });
    }

    private void SeedFrom(JsonNode example)
    {
        var properties = example["responses"]!["200"]!["body"]!["properties"]!;
        var status = properties["status"]!;
        var risk = properties["risk"]!;
        Simulator.State.SeedAssessment(new SimulatedAssessment(
            "/" + example["parameters"]!["resourceId"]!.GetValue<string>(),
            example["parameters"]!["assessmentName"]!.GetValue<string>(),
            Enum.Parse<SimulatedAssessmentStatus>(status["code"]!.GetValue<string>()))
        {
            DisplayName = properties["displayName"]!.GetValue<string>(),
            Cause = status["cause"]!.GetValue<string>(),
            Description = status["description"]!.GetValue<string>(),
            AdditionalData = properties["additionalData"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()),
            Risk = new SimulatedRisk(risk["level"]!.GetValue<string>())
            {
                Factors = [.. risk["riskFactors"]!.AsArray().Select(f => f!.GetValue<string>())],
                AttackPaths = [.. risk["attackPathsReferences"]!.AsArray().Select(f => f!.GetValue<string>())],
                IsContextual = risk["isContextualRisk"]!.GetValue<bool>(),
            },
        });
    }

    private async Task<JsonNode> JsonAsync(string pathAndQuery)
    {
        using var response = await GetAsync(pathAndQuery);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private Task<HttpResponseMessage> GetAsync(string pathAndQuery) => ResourceManagerHttp.SendAsync(Http, HttpMethod.Get, pathAndQuery);
}
