using System.Net;
using System.Net.Http.Headers;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Upstream;
using Polly;
using Polly.Timeout;

namespace DefenderSnow.Tests.Upstream;

/// <summary>The one retry rule of every upstream client.</summary>
public sealed class UpstreamRetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly UpstreamResilience Resilience = new(
        MaxRetryAttempts: 3,
        RetryDelay: TimeSpan.FromSeconds(1),
        MaxRetryAfter: TimeSpan.FromSeconds(60),
        AttemptTimeout: TimeSpan.FromSeconds(30),
        TotalTimeout: TimeSpan.FromMinutes(3),
        IsRepeatable: request => request.Method == HttpMethod.Get);

    [TestCase("GET", 429, null, ExpectedResult = true)]
    [TestCase("POST", 429, null, ExpectedResult = true, Description = "refused before any work: safe to send again")]
    [TestCase("POST", 429, 30, ExpectedResult = true)]
    [TestCase("GET", 429, 61, ExpectedResult = false, Description = "longer than the cap: reported at once")]
    [TestCase("GET", 503, null, ExpectedResult = true)]
    [TestCase("GET", 408, null, ExpectedResult = true)]
    [TestCase("POST", 503, null, ExpectedResult = false, Description = "may have done the work")]
    [TestCase("GET", 503, 120, ExpectedResult = false, Description = "the cap holds for every status")]
    [TestCase("GET", 400, null, ExpectedResult = false)]
    [TestCase("GET", 404, null, ExpectedResult = false)]
    [TestCase("GET", 200, null, ExpectedResult = false)]
    public bool Answers_are_retried_by_status_method_and_retry_after(string method, int status, int? retryAfterSeconds)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "https://upstream.example/x");
        using var response = new HttpResponseMessage((HttpStatusCode)status) { RequestMessage = request };
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        return UpstreamRetryPolicy.ShouldRetry(Outcome.FromResult(response), request, Resilience, Now);
    }

    [TestCase(59, ExpectedResult = true)]
    [TestCase(61, ExpectedResult = false)]
    public bool A_retry_after_date_is_read_against_the_apps_clock(int secondsFromNow)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://upstream.example/x");
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddSeconds(secondsFromNow));

        return UpstreamRetryPolicy.ShouldRetry(Outcome.FromResult(response), request, Resilience, Now);
    }

    public static IEnumerable<TestCaseData> Failures()
    {
        yield return new TestCaseData("GET", new HttpRequestException("reset")).Returns(true).SetName("A broken connection of a repeatable request is retried");
        yield return new TestCaseData("GET", new TimeoutRejectedException()).Returns(true).SetName("A timed-out attempt of a repeatable request is retried");
        yield return new TestCaseData("POST", new HttpRequestException("reset")).Returns(false).SetName("A broken connection of a create is not retried");
        yield return new TestCaseData("GET", new HttpRequestException("refused", new ServiceNowAddressRefusedException("rebound.service-now.com"))).Returns(false).SetName("A connection the address policy refused is not retried");
        yield return new TestCaseData("GET", new OperationCanceledException()).Returns(false).SetName("A cancellation is not retried");
        yield return new TestCaseData("GET", new InvalidOperationException()).Returns(false).SetName("A bug is not retried");
    }

    [TestCaseSource(nameof(Failures))]
    public bool Failures_without_an_answer_are_retried_only_when_the_request_may_be_repeated(string method, Exception failure)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "https://upstream.example/x");

        return UpstreamRetryPolicy.ShouldRetry(Outcome.FromException<HttpResponseMessage>(failure), request, Resilience, Now);
    }

    [TestCase("GET", "/api/now/table/incident", ExpectedResult = true)]
    [TestCase("POST", "/oauth_token.do", ExpectedResult = true)]
    [TestCase("POST", "/api/now/table/incident", ExpectedResult = false)]
    [TestCase("PATCH", "/api/now/table/incident/abc", ExpectedResult = false)]
    public bool ServiceNow_repeats_reads_and_token_requests_only(string method, string path) =>
        ServiceNowOptions.IsRepeatable(new HttpRequestMessage(new HttpMethod(method), "https://contoso.service-now.com" + path));
}
