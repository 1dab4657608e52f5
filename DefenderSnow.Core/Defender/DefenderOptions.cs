using DefenderSnow.Core.Upstream;

namespace DefenderSnow.Core.Defender;

/// <summary>Settings under <c>Defender</c>: where Resource Manager is and how patiently to talk to it.</summary>
public sealed class DefenderOptions
{
    public const string SectionName = "Defender";
    public const string PublicCloud = "https://management.azure.com";

    /// <summary>Resource Manager's base URI (absolute https): differs in sovereign clouds, and points at the simulator locally.</summary>
    public string Endpoint { get; set; } = PublicCloud;

    /// <summary>The token audience; the credential is asked for <c>{Audience}/.default</c>.</summary>
    public string Audience { get; set; } = PublicCloud;

    /// <summary>Retries after a throttled (429) or failed (5xx, timeout) attempt of an idempotent call; 0 turns retrying off.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The first back-off delay when Resource Manager sends no <c>Retry-After</c>; it grows exponentially, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A throttled answer whose <c>Retry-After</c> asks for a longer wait than this is not retried but reported
    /// at once: a caller should not hang for as long as a throttled subscription is told to wait.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one attempt may take before it is abandoned (and retried).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one call, retries and waits included, may take.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The refill rate assumed for a subscription's read, write or delete bucket (one request per pause once it runs low)
    /// until the remaining counts of Resource Manager's answers have shown the real one; the public buckets refill 25
    /// reads, 10 writes and 10 deletes a second.
    /// </summary>
    public TimeSpan EmptyBucketPause { get; set; } = TimeSpan.FromSeconds(1);

    internal UpstreamResilience Resilience => new(MaxRetryAttempts, RetryDelay, MaxRetryAfter, AttemptTimeout, TotalTimeout, IsRepeatable);

    internal Uri EndpointUri => new(Endpoint.TrimEnd('/') + "/");

    internal string TokenScope => Audience.TrimEnd('/') + "/.default";

    /// <summary>Every Resource Manager call of this app (GET, PUT, DELETE) is idempotent, so each may be repeated.</summary>
    private static bool IsRepeatable(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
        || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete;
}
