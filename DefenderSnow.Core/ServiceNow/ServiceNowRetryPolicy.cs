using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// Which outcomes the resilience pipeline may retry. A 429 was refused before any work was done, so it is
/// retried for every request (when ServiceNow's <c>Retry-After</c> is within reach). A 5xx or a timeout may come
/// after the work was done, so only reads and token requests are repeated; a create is left to the client,
/// which looks the ticket up by its correlation id before sending it again.
/// </summary>
internal static class ServiceNowRetryPolicy
{
    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request, TimeSpan maxRetryAfter)
    {
        var repeatable = request is null || IsRepeatable(request);
        if (outcome.Result is { } response)
        {
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return RetryAfter(response) is not { } wait || wait <= maxRetryAfter;
            }

            return repeatable && ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout);
        }

        // A refused address stays refused: asking DNS again in a second changes nothing worth the wait.
        return repeatable
            && outcome.Exception is HttpRequestException or TimeoutRejectedException
            && outcome.Exception is not HttpRequestException { InnerException: ServiceNowAddressRefusedException };
    }

    public static bool ShouldRetry(RetryPredicateArguments<HttpResponseMessage> args, TimeSpan maxRetryAfter) =>
        ShouldRetry(args.Outcome, args.Context.GetRequestMessage(), maxRetryAfter);

    public static bool IsRepeatable(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get
        || request.Method == HttpMethod.Head
        || (request.Method == HttpMethod.Post && request.RequestUri?.AbsolutePath.EndsWith("/oauth_token.do", StringComparison.Ordinal) == true);

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - DateTimeOffset.UtcNow : null;
    }
}
