using System.Net;
using Polly;

namespace DefenderSnow.Core.Upstream;

/// <summary>Which outcomes the upstream pipeline may retry: one rule for every upstream service.</summary>
internal static class UpstreamRetryPolicy
{
    /// <param name="request">The request of the attempt; when unknown, it is taken to be repeatable.</param>
    /// <param name="now">The app's clock, to read a <c>Retry-After</c> given as a date.</param>
    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request, UpstreamResilience resilience, DateTimeOffset now)
    {
        var repeatable = request is null || resilience.IsRepeatable(request);
        if (outcome.Result is not { } response)
        {
            return repeatable && outcome.Exception is { } failure && UpstreamTransportFailure.IsRetryable(failure);
        }

        // A caller should not hang for as long as a throttled service asks: better told now.
        if (RetryAfter(response, now) > resilience.MaxRetryAfter)
        {
            return false;
        }

        return response.StatusCode == HttpStatusCode.TooManyRequests
            || (repeatable && (response.StatusCode == HttpStatusCode.RequestTimeout || (int)response.StatusCode >= 500));
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - now : null;
    }
}
