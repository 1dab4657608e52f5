namespace DefenderSnow.Core.Upstream;

/// <summary>
/// How patiently one upstream service is talked to; each stack fills it from its own settings
/// (<c>ServiceNow:*</c>, <c>Defender:*</c>), and <see cref="UpstreamHttpClientBuilderExtensions"/> builds the
/// one pipeline from it: a total timeout around retries around an attempt timeout.
/// </summary>
/// <param name="MaxRetryAttempts">Retries after the first attempt; 0 turns retrying off.</param>
/// <param name="RetryDelay">The first back-off when no <c>Retry-After</c> is given; it grows exponentially, with jitter.</param>
/// <param name="MaxRetryAfter">A <c>Retry-After</c> asking for a longer wait than this is not retried but reported at once.</param>
/// <param name="AttemptTimeout">How long one attempt may take before it is abandoned (and retried when the request may be repeated).</param>
/// <param name="TotalTimeout">How long one call, retries and waits included, may take.</param>
/// <param name="IsRepeatable">
/// Whether a request may be sent again after a 5xx, a 408, a timeout or a broken connection, which may come after
/// the work was done. A 429 was refused before any work, so it is retried for every request.
/// </param>
internal sealed record UpstreamResilience(
    int MaxRetryAttempts,
    TimeSpan RetryDelay,
    TimeSpan MaxRetryAfter,
    TimeSpan AttemptTimeout,
    TimeSpan TotalTimeout,
    Func<HttpRequestMessage, bool> IsRepeatable);
