using System.Globalization;
using System.Net;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Learns, from every attempt, when a subscription's bucket is empty: a 429's <c>Retry-After</c>, or
/// <c>x-ms-ratelimit-remaining-subscription-reads</c>/<c>-writes</c>/<c>-deletes</c> reaching zero
/// (https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling).
/// <see cref="ResourceManagerPacingHandler"/> then holds that subscription's next requests.
/// </summary>
internal sealed class ResourceManagerThrottleObserver : DelegatingHandler
{
    private readonly SubscriptionPacer _pacer;
    private readonly TimeProvider _clock;

    public ResourceManagerThrottleObserver(SubscriptionPacer pacer, TimeProvider clock)
    {
        _pacer = pacer;
        _clock = clock;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (ResourceManagerPacingHandler.SubscriptionOf(request.RequestUri) is not { } subscription)
        {
            return response;
        }

        var bucket = ResourceManagerPacingHandler.BucketOf(request);
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

    private TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - _clock.GetUtcNow(),
            _ => null,
        };

    private static int? Remaining(HttpResponseMessage response, string bucket) =>
        response.Headers.TryGetValues("x-ms-ratelimit-remaining-subscription-" + bucket, out var values)
        && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var remaining)
            ? remaining
            : null;
}
