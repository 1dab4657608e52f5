using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

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
    private readonly IOptions<DefenderOptions> _options;

    public ResourceManagerPacingHandler(SubscriptionPacer pacer, IOptions<DefenderOptions> options)
    {
        _pacer = pacer;
        _options = options;
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
        var pause = _options.Value.EmptyBucketPause;
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            // Retry-After has whole seconds and may say 0 for a bucket that refills within the second: never less than the pause.
            var retryAfter = RetryAfter(response);
            _pacer.Pause(subscription, bucket, retryAfter > pause ? retryAfter.Value : pause);
        }
        else if (Remaining(response, bucket) == 0)
        {
            _pacer.Pause(subscription, bucket, pause);
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
