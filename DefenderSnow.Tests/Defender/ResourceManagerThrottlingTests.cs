using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure.Core;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Simulators.Defender;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.Defender;

/// <summary>The simulator's per-subscription buckets, on its own clock, in raw HTTP.</summary>
public sealed class ResourceManagerThrottlingTests
{
    private const string Recommendation = "1f2a3b4c-0000-4000-8000-00000000abcd";
    private const string GovernanceVersion = "?api-version=2022-01-01-preview";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private ResourceManagerSimulator _simulator = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartSimulator()
    {
        _simulator = await ResourceManagerSimulator.StartAsync(new ResourceManagerSimulatorOptions { TimeProvider = _clock });
        _http = _simulator.CreateTrustingClient();
    }

    [OneTimeTearDown]
    public async Task StopSimulator()
    {
        _http.Dispose();
        await _simulator.DisposeAsync();
    }

    [SetUp]
    public void SetUp() => _simulator.State.Reset();

    [Test]
    public async Task An_empty_delete_bucket_answers_429_with_retry_after_until_the_clock_refills_it()
    {
        _simulator.State.Throttling.Configure(ThrottledRequestKind.Delete, capacity: 2, refillPerSecond: 0.5);
        var subscription = Guid.NewGuid().ToString("D");

        using var first = await DeleteAsync(subscription, "key1");
        using var second = await DeleteAsync(subscription, "key2");
        using var third = await DeleteAsync(subscription, "key3");

        Assert.That((first.StatusCode, Remaining(first, "deletes")), Is.EqualTo((HttpStatusCode.NoContent, "1")));
        Assert.That((second.StatusCode, Remaining(second, "deletes")), Is.EqualTo((HttpStatusCode.NoContent, "0")));
        Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(third.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(2)));
        var error = JsonNode.Parse(await third.Content.ReadAsStringAsync())!["error"]!;
        Assert.That(error["code"]!.GetValue<string>(), Is.EqualTo("SubscriptionRequestsThrottled"));

        using var otherSubscription = await DeleteAsync(Guid.NewGuid().ToString("D"), "key1");
        Assert.That(otherSubscription.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), "buckets are per subscription");
        using var read = await SendAsync(HttpMethod.Get, $"{ResourceOf(subscription)}/providers/Microsoft.Security/assessments/{Recommendation}/governanceAssignments{GovernanceVersion}");
        Assert.That(read.StatusCode, Is.Not.EqualTo(HttpStatusCode.TooManyRequests), "reads have their own bucket");
        Assert.That(Remaining(read, "reads"), Is.EqualTo("249"));

        _clock.Advance(TimeSpan.FromSeconds(2));
        using var refilled = await DeleteAsync(subscription, "key3");
        Assert.That((refilled.StatusCode, Remaining(refilled, "deletes")), Is.EqualTo((HttpStatusCode.NoContent, "0")));
        Assert.That(_simulator.State.Throttling.ThrottledCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Writes_follow_the_published_limit_of_200_by_default()
    {
        var subscription = Guid.NewGuid().ToString("D");
        var resourceId = ResourceOf(subscription);
        _simulator.State.SeedAssessment(new SimulatedAssessment(resourceId, Recommendation, SimulatedAssessmentStatus.Unhealthy));
        var body = """{"properties":{"owner":"owner@contoso.com","remediationDueDate":"2030-01-31T00:00:00Z"}}""";
        HttpStatusCode last = default;
        for (var i = 0; i < 201; i++)
        {
            using var response = await SendAsync(HttpMethod.Put, $"{resourceId}/providers/Microsoft.Security/assessments/{Recommendation}/governanceAssignments/key{i}{GovernanceVersion}", body);
            last = response.StatusCode;
            if (i == 199)
            {
                Assert.That(Remaining(response, "writes"), Is.EqualTo("0"));
            }
        }

        Assert.That(last, Is.EqualTo(HttpStatusCode.TooManyRequests), "the 201st write within the same instant");
    }

    private static string ResourceOf(string subscription) => $"/subscriptions/{subscription}/resourceGroups/rg/providers/Microsoft.Sql/servers/sql1";

    private static string? Remaining(HttpResponseMessage response, string bucket) =>
        response.Headers.TryGetValues("x-ms-ratelimit-remaining-subscription-" + bucket, out var values) ? values.Single() : null;

    private Task<HttpResponseMessage> DeleteAsync(string subscription, string key) =>
        SendAsync(HttpMethod.Delete, $"{ResourceOf(subscription)}/providers/Microsoft.Security/assessments/{Recommendation}/governanceAssignments/{key}{GovernanceVersion}");

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, string? body = null)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Bearer", new SimulatorTokenCredential(_clock).GetToken(new TokenRequestContext(["https://management.azure.com/.default"]), CancellationToken.None).Token);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        return await _http.SendAsync(request);
    }
}
