using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.Defender;

/// <summary>
/// Resource Manager's per-subscription throttling: a token bucket each for reads, writes and deletes, refilled
/// continuously on the simulator's clock. Published limits (https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling):
/// reads 250 refilled 25/s, writes 200 refilled 10/s, deletes 200 refilled 10/s. Every answer carries
/// <c>x-ms-ratelimit-remaining-subscription-{reads|writes|deletes}</c>; an empty bucket answers 429
/// <c>SubscriptionRequestsThrottled</c> with <c>Retry-After</c>. Tests make the buckets small and fast with <see cref="Configure"/>.
/// </summary>
public sealed class SubscriptionThrottling
{
    private readonly object _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<(string Subscription, ThrottledRequestKind Kind), Bucket> _buckets = [];
    private readonly Dictionary<ThrottledRequestKind, BucketLimit> _limits = new()
    {
        [ThrottledRequestKind.Read] = new BucketLimit(250, 25),
        [ThrottledRequestKind.Write] = new BucketLimit(200, 10),
        [ThrottledRequestKind.Delete] = new BucketLimit(200, 10),
    };

    public SubscriptionThrottling(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    /// <summary>How many 429s the buckets have answered.</summary>
    public int ThrottledCount { get; private set; }

    /// <summary>Sets one bucket kind's size and refill rate for every subscription; buckets start full again.</summary>
    public void Configure(ThrottledRequestKind kind, int capacity, double refillPerSecond)
    {
        if (capacity < 1 || refillPerSecond <= 0)
        {
            throw new ArgumentException("A bucket holds at least one token and refills at a positive rate.");
        }

        lock (_gate)
        {
            _limits[kind] = new BucketLimit(capacity, refillPerSecond);
            foreach (var key in _buckets.Keys.Where(k => k.Kind == kind).ToList())
            {
                _buckets.Remove(key);
            }
        }
    }

    /// <summary>Back to the published limits, all buckets full.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _limits[ThrottledRequestKind.Read] = new BucketLimit(250, 25);
            _limits[ThrottledRequestKind.Write] = new BucketLimit(200, 10);
            _limits[ThrottledRequestKind.Delete] = new BucketLimit(200, 10);
            _buckets.Clear();
            ThrottledCount = 0;
        }
    }

    /// <summary>Takes a token for the request, or answers 429. Requests outside a subscription are not counted here.</summary>
    /// <returns>True when the request was refused (the response is written).</returns>
    internal async Task<bool> RejectAsync(HttpContext context)
    {
        var segments = (context.Request.Path.Value ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < 2 || !segments[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var subscription = segments[1].ToLowerInvariant();
        var kind = context.Request.Method.ToUpperInvariant() switch
        {
            "GET" or "HEAD" => ThrottledRequestKind.Read,
            "DELETE" => ThrottledRequestKind.Delete,
            _ => ThrottledRequestKind.Write,
        };
        var (allowed, remaining, wait) = Take(subscription, kind);
        var header = kind switch
        {
            ThrottledRequestKind.Read => "x-ms-ratelimit-remaining-subscription-reads",
            ThrottledRequestKind.Delete => "x-ms-ratelimit-remaining-subscription-deletes",
            _ => "x-ms-ratelimit-remaining-subscription-writes",
        };
        context.Response.Headers[header] = remaining.ToString(CultureInfo.InvariantCulture);
        if (allowed)
        {
            return false;
        }

        // Whole seconds, as Resource Manager sends them; rounded down, so a bucket that refills within the
        // second says 0 and a client must pace itself rather than wait a second for each token.
        var seconds = (int)Math.Floor(wait.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var noun = kind switch { ThrottledRequestKind.Read => "read", ThrottledRequestKind.Delete => "delete", _ => "write" };
        await ArmErrors.WriteError(
            context,
            429,
            "SubscriptionRequestsThrottled",
            $"Number of '{noun}' requests for subscription '{subscription}' exceeded. Please try again after '{seconds}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling");
        return true;
    }

    private (bool Allowed, int Remaining, TimeSpan Wait) Take(string subscription, ThrottledRequestKind kind)
    {
        lock (_gate)
        {
            var limit = _limits[kind];
            var now = _timeProvider.GetUtcNow();
            if (!_buckets.TryGetValue((subscription, kind), out var bucket))
            {
                bucket = new Bucket { Tokens = limit.Capacity, RefilledAt = now };
                _buckets[(subscription, kind)] = bucket;
            }

            bucket.Tokens = Math.Min(limit.Capacity, bucket.Tokens + ((now - bucket.RefilledAt).TotalSeconds * limit.RefillPerSecond));
            bucket.RefilledAt = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return (true, (int)Math.Floor(bucket.Tokens), TimeSpan.Zero);
            }

            ThrottledCount++;
            return (false, 0, TimeSpan.FromSeconds((1 - bucket.Tokens) / limit.RefillPerSecond));
        }
    }

    private sealed record BucketLimit(int Capacity, double RefillPerSecond);

    private sealed class Bucket
    {
        public double Tokens { get; set; }

        public DateTimeOffset RefilledAt { get; set; }
    }
}

/// <summary>Resource Manager's separate per-subscription buckets.</summary>
public enum ThrottledRequestKind
{
    Read,
    Write,
    Delete,
}
