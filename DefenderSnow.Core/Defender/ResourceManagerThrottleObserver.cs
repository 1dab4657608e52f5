using System.Globalization;
using System.Net;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Tells the pacer about every attempt: that it is on the wire, then what the answer says of the subscription's
/// bucket: <c>x-ms-ratelimit-remaining-subscription-reads</c>/<c>-writes</c>/<c>-deletes</c>, or a 429 and its
/// <c>Retry-After</c> (https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling).
/// <see cref="ResourceManagerPacingHandler"/> then paces that subscription's next requests.
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
        if (ResourceManagerPacingHandler.SubscriptionOf(request.RequestUri) is not { } subscription)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var bucket = ResourceManagerPacingHandler.BucketOf(request);
        _pacer.Sending(subscription, bucket);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _pacer.Answered(subscription, bucket, null);
            throw;
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            _pacer.Throttled(subscription, bucket, RetryAfter(response));
        }
        else
        {
            _pacer.Answered(subscription, bucket, Remaining(response, bucket));
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
