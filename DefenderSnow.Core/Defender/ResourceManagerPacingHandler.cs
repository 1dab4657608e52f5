using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Paces requests per subscription: waits while the subscription's bucket is known to be empty, and learns
/// that from a 429's <c>Retry-After</c> or from <c>x-ms-ratelimit-remaining-subscription-writes</c>/<c>-reads</c>
/// reaching zero (https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling).
/// It sits inside the retry pipeline, so every attempt is paced, and a throttled run slows down rather than fails.
/// </summary>
internal sealed class ResourceManagerPacingHandler : DelegatingHandler
{
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);
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

        var write = request.Method != HttpMethod.Get && request.Method != HttpMethod.Head;
        await _pacer.WaitAsync(subscription, write, cancellationToken).ConfigureAwait(false);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            _pacer.Pause(subscription, write, RetryAfter(response) ?? DefaultRetryAfter);
        }
        else if (Remaining(response, write) == 0)
        {
            _pacer.Pause(subscription, write, _options.Value.EmptyBucketPause);
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

    private static int? Remaining(HttpResponseMessage response, bool write) =>
        response.Headers.TryGetValues(write ? "x-ms-ratelimit-remaining-subscription-writes" : "x-ms-ratelimit-remaining-subscription-reads", out var values)
        && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var remaining)
            ? remaining
            : null;
}
