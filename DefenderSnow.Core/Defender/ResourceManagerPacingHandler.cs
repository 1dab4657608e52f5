namespace DefenderSnow.Core.Defender;

/// <summary>
/// Paces requests per subscription: waits while the subscription's bucket is known to be empty. It sits outside
/// the resilience pipeline, so a held request never runs into an attempt or call timeout; what it waits for is
/// learnt by <see cref="ResourceManagerThrottleObserver"/> inside the pipeline, from every attempt.
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
        if (SubscriptionOf(request.RequestUri) is { } subscription)
        {
            await _pacer.WaitAsync(subscription, BucketOf(request), cancellationToken).ConfigureAwait(false);
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    internal static string BucketOf(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head ? "reads"
        : request.Method == HttpMethod.Delete ? "deletes"
        : "writes";

    internal static string? SubscriptionOf(Uri? uri)
    {
        var segments = uri?.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments is { Length: >= 2 } && segments[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase)
            ? segments[1].ToLowerInvariant()
            : null;
    }
}
