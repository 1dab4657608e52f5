using DefenderSnow.Core.Defender;
using DefenderSnow.Simulators.Defender;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Defender;

/// <summary>
/// The client reads assessments at api-version 2025-05-04: Defender's risk and the status cause, held against the
/// 2025-05-04 GetAssessment example (reconstructed, see <c>SpecExamples/SOURCES.md</c>); Critical and not-yet-known
/// metadata severities.
/// </summary>
[TestFixture]
public sealed class DefenderClientRiskTests : ResourceManagerSimulatorFixture
{
    private static readonly string[] ExampleFactors = ["Exposure to the Internet", "Sensitive Data", "Critical Resource"];

    private const string Subscription = "66666666-6666-4666-8666-666666666666";

    private ServiceProvider _services = null!;

    private IDefenderClient Client => _services.GetRequiredService<IDefenderClient>();

    [SetUp]
    public void SetUp() => _services = DefenderTestServices.Build(Simulator.BaseUri);

    [TearDown]
    public async Task TearDown() => await _services.DisposeAsync();

    [Test]
    public async Task The_examples_risk_and_status_cause_are_read_from_the_single_get_and_the_subscription_list()
    {
        var example = SpecExample.Read("GetAssessment_2025-05-04_reconstructed.json");
        var properties = example["responses"]!["200"]!["body"]!["properties"]!;
        var risk = properties["risk"]!;
        var resourceId = "/" + example["parameters"]!["resourceId"]!.GetValue<string>();
        var name = example["parameters"]!["assessmentName"]!.GetValue<string>();
        Simulator.State.SeedAssessment(new SimulatedAssessment(resourceId, name, SimulatedAssessmentStatus.NotApplicable)
        {
            Cause = properties["status"]!["cause"]!.GetValue<string>(),
            Risk = new SimulatedRisk(risk["level"]!.GetValue<string>())
            {
                Factors = [.. risk["riskFactors"]!.AsArray().Select(f => f!.GetValue<string>())],
                AttackPaths = [.. risk["attackPathsReferences"]!.AsArray().Select(f => f!.GetValue<string>())],
                IsContextual = risk["isContextualRisk"]!.GetValue<bool>(),
            },
        });

        var read = await Client.GetAssessmentAsync(resourceId, name, CancellationToken.None);
        var listed = new List<Assessment>();
        await foreach (var item in Client.ListSubscriptionAssessmentsAsync("20ff7fc3-e762-44dd-bd96-b71116dcdc23", CancellationToken.None))
        {
            listed.Add(item);
        }

        Assert.Multiple(() =>
        {
            foreach (var assessment in new[] { read!, listed.Single() })
            {
                Assert.That(assessment.Risk!.Level, Is.EqualTo("Critical"));
                Assert.That(assessment.Risk.Factors, Is.EqualTo(ExampleFactors));
                Assert.That((assessment.Risk.AttackPaths, assessment.Risk.IsContextual), Is.EqualTo((0, (bool?)true)));
                Assert.That((assessment.Status.Code, assessment.Status.Cause), Is.EqualTo((AssessmentStatusCode.NotApplicable, (string?)"OffByPolicy")));
            }
        });
    }

    [Test]
    public async Task An_exempt_finding_keeps_its_cause_and_one_without_risk_has_none()
    {
        var resourceId = "/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1";
        Simulator.State.SeedAssessment(new SimulatedAssessment(resourceId, "rec", SimulatedAssessmentStatus.NotApplicable) { Cause = "Exempt" });

        var read = await Client.GetAssessmentAsync(resourceId, "rec", CancellationToken.None);

        Assert.That((read!.Status.Cause, read.Risk), Is.EqualTo(("Exempt", (AssessmentRisk?)null)));
    }

    [Test]
    public async Task Critical_is_a_severity_and_one_defendersnow_does_not_know_is_kept_as_written()
    {
        Simulator.State.SeedMetadata(new SimulatedAssessmentMetadata("rec-critical", "Critical one", SimulatedSeverity.Critical));
        Simulator.State.SeedMetadata(new SimulatedAssessmentMetadata("rec-new", "Newer one", SimulatedSeverity.Low) { SeverityAsWritten = "Severe" });
        Simulator.State.SeedMetadata(new SimulatedAssessmentMetadata("rec-number", "Numbered one", SimulatedSeverity.Low) { SeverityAsWritten = "3" });

        Simulator.State.AddManagementGroup(new SimulatedManagementGroup("mg-risk", null));
        Simulator.State.AddSubscription(new SimulatedSubscription(Subscription, "mg-risk"));

        var all = (await Client.ListSubscriptionAssessmentMetadataAsync(Subscription, CancellationToken.None)).ToDictionary(m => m.Name);

        Assert.Multiple(() =>
        {
            Assert.That((all["rec-critical"].Severity, all["rec-critical"].SeverityName), Is.EqualTo(((AssessmentSeverity?)AssessmentSeverity.Critical, (string?)"Critical")));
            Assert.That((all["rec-new"].Severity, all["rec-new"].UnrecognizedSeverity), Is.EqualTo(((AssessmentSeverity?)null, (string?)"Severe")));
            Assert.That((all["rec-number"].Severity, all["rec-number"].UnrecognizedSeverity), Is.EqualTo(((AssessmentSeverity?)null, (string?)"3")), "a number is no severity name");
        });
    }
}
