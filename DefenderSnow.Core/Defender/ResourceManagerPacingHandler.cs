using System.Globalization;
using System.Net;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Paces requests per subscription: waits while the subscription's bucket is known to be empty, and learns
/// that from a 429's <c>Retry-After</c> or from <c>x-ms-ratelimit-remaining-subscription-reads</c>/<c>-writes</c>/<c>-deletes</c>
/// reaching zero (https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling).
/// It sits inside the retry pipeline, so every attempt is paced, and a throttled run slows down rather than fails.
/// </summary>
internal sealed class ResourceManagerPacingHandler : DelegatingHandler
{
    private readonly SubscriptionPacer _pacer;

    public ResourceManagerPacingHandler(SubscriptionPacer pacer)
    {
        _pacer = pacer;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var subscription = SubscriptionOf(request.RequestUri);
        if (subscription is null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var bucket = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head ? "reads"
            : request.Method == HttpMethod.Delete ? "deletes"
            : "writes";
        await _pacer.WaitAsync(subscription, bucket, cancellationToken).ConfigureAwait(false);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            _pacer.Throttled(subscription, bucket, RetryAfter(response));
        }
        else if (Remaining(response, bucket) is { } remaining)
        {
            _pacer.Answered(subscription, bucket, remaining);
        }

        return response;
    }

    private static string? SubscriptionOf(Uri? uri)
    {
        var segments = uri?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments is { Length: >= 2 } && segments[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase)
            ? segments[1].ToLowerInvariant()
            : null;
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => null,
        };

    private static int? Remaining(HttpResponseMessage response, string bucket) =>
        response.Headers.TryGetValues("x-ms-ratelimit-remaining-subscription-" + bucket, out var values)
        && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var remaining)
            ? remaining
            : null;
}
