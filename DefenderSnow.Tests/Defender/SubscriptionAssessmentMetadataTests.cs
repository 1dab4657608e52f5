using System.Net;
using System.Text.Json.Nodes;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Simulators.Defender;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Defender;

/// <summary>
/// AssessmentsMetadata_GetInSubscription (stable/2025-05-04/assessmentMetadata.json in Azure/azure-rest-api-specs), where a
/// custom recommendation's metadata lives: the simulator serves it as strictly as the rest, and the client reads it.
/// </summary>
[TestFixture]
public sealed class SubscriptionAssessmentMetadataTests : ResourceManagerSimulatorFixture
{
    private const string Subscription = "33333333-3333-4333-8333-333333333333";
    private const string Other = "44444444-4444-4444-8444-444444444444";
    private const string BuiltIn = "21300918-b2e3-0346-785f-c77ff57d243b";
    private const string Custom = "ca039e75-a276-4175-aebc-bcd41e4b14b7";

    private static readonly string[] SubscriptionIdField = ["subscriptionId"];

    private ServiceProvider _services = null!;

    private IDefenderClient Client => _services.GetRequiredService<IDefenderClient>();

    [SetUp]
    public void Seed()
    {
        _services = DefenderTestServices.Build(Simulator.BaseUri);
        Simulator.State.SeedMetadata(new SimulatedAssessmentMetadata(BuiltIn, "Install endpoint protection solution on virtual machine scale sets", SimulatedSeverity.Medium));
        Simulator.State.SeedSubscriptionMetadata(Subscription, new SimulatedAssessmentMetadata(Custom, "Our own keys", SimulatedSeverity.Critical) { AssessmentType = "CustomerManaged" });
        Simulator.State.SeedSubscriptionMetadata(Other, new SimulatedAssessmentMetadata(Guid.NewGuid().ToString("D"), "Theirs", SimulatedSeverity.Low));
    }

    [TearDown]
    public async Task TearDown() => await _services.DisposeAsync();

    [Test]
    public async Task The_simulator_serves_a_built_in_with_its_tenant_id_and_a_custom_one_under_its_subscription_only()
    {
        var builtIn = await JsonAsync(HttpStatusCode.OK, Path(Subscription, BuiltIn));
        var custom = await JsonAsync(HttpStatusCode.OK, Path(Subscription, Custom));
        var elsewhere = await JsonAsync(HttpStatusCode.NotFound, Path(Other, Custom));
        var unknownSubscription = await JsonAsync(HttpStatusCode.NotFound, Path(Guid.NewGuid().ToString("D"), Custom));
        var tenant = await JsonAsync(HttpStatusCode.NotFound, $"/providers/Microsoft.Security/assessmentMetadata/{Custom}?api-version=2025-05-04");
        var badVersion = await JsonAsync(HttpStatusCode.BadRequest, Path(Subscription, Custom, "2099-01-01"));

        Assert.Multiple(() =>
        {
            // GetAssessmentsMetadata_subscription_example.json (2025-05-04): a built-in keeps its tenant-level id.
            Assert.That(builtIn["id"]!.GetValue<string>(), Is.EqualTo($"/providers/Microsoft.Security/assessmentMetadata/{BuiltIn}"));
            Assert.That(custom["id"]!.GetValue<string>(), Is.EqualTo($"/subscriptions/{Subscription}/providers/Microsoft.Security/assessmentMetadata/{Custom}"));
            Assert.That(custom["properties"]!["severity"]!.GetValue<string>(), Is.EqualTo("Critical"));
            Assert.That(elsewhere["error"]!["code"]!.GetValue<string>(), Is.EqualTo("ResourceNotFound"));
            Assert.That(unknownSubscription["error"]!["code"]!.GetValue<string>(), Is.EqualTo("SubscriptionNotFound"));
            Assert.That(tenant["error"]!["code"]!.GetValue<string>(), Is.EqualTo("ResourceNotFound"), "the tenant-level GET knows built-ins only");
            Assert.That(badVersion["error"]!["code"]!.GetValue<string>(), Is.EqualTo("NoRegisteredProviderFound"));
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.GetSubscriptionAssessmentMetadata), Is.EqualTo(5));
        });
    }

    [Test]
    public async Task A_subscription_without_the_role_is_refused()
    {
        Simulator.State.RevokeRoles($"/subscriptions/{Subscription}");

        var denied = await JsonAsync(HttpStatusCode.Forbidden, Path(Subscription, Custom));

        Assert.That(denied["error"]!["code"]!.GetValue<string>(), Is.EqualTo("AuthorizationFailed"));
    }

    [Test]
    public async Task The_client_reads_a_custom_recommendation_in_its_subscription_and_null_elsewhere()
    {
        var own = await Client.GetSubscriptionAssessmentMetadataAsync(Subscription.ToUpperInvariant(), Custom, CancellationToken.None);
        var elsewhere = await Client.GetSubscriptionAssessmentMetadataAsync(Other, Custom, CancellationToken.None);
        var found = await Client.FindAssessmentMetadataAsync(Custom, Subscription, CancellationToken.None);
        var builtIn = await Client.FindAssessmentMetadataAsync(BuiltIn, Subscription, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That((own!.Name, own.DisplayName, own.Severity), Is.EqualTo((Custom, "Our own keys", (AssessmentSeverity?)AssessmentSeverity.Critical)));
            Assert.That(elsewhere, Is.Null);
            Assert.That(found!.Name, Is.EqualTo(Custom));
            Assert.That(builtIn!.Name, Is.EqualTo(BuiltIn));
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.GetAssessmentMetadata), Is.EqualTo(2), "the tenant asked first, each time");
            Assert.That(Simulator.State.RequestCount(ResourceManagerOperations.GetSubscriptionAssessmentMetadata), Is.EqualTo(3), "a built-in found at the tenant asks no subscription");
        });
    }

    [TestCase("not-a-guid")]
    [TestCase("../x")]
    public void A_subscription_id_that_is_not_a_guid_is_refused_before_any_request(string subscriptionId)
    {
        var error = Assert.ThrowsAsync<ValidationException>(() => Client.GetSubscriptionAssessmentMetadataAsync(subscriptionId, Custom, CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Errors.Keys, Is.EquivalentTo(SubscriptionIdField));
            Assert.That(Simulator.State.RequestCounts, Is.Empty);
        });
    }

    private static string Path(string subscription, string name, string version = "2025-05-04") =>
        $"/subscriptions/{subscription}/providers/Microsoft.Security/assessmentMetadata/{name}?api-version={version}";

    private async Task<JsonNode> JsonAsync(HttpStatusCode expected, string pathAndQuery)
    {
        using var response = await ResourceManagerHttp.SendAsync(Http, HttpMethod.Get, pathAndQuery);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        return JsonNode.Parse(text)!;
    }
}
