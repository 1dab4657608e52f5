using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Resource Manager throttles per subscription, with separate buckets for reads, writes and deletes. This paces
/// the requests of each subscription and bucket across the whole process: unthrottled, requests go at once;
/// once Resource Manager says the bucket is empty, requests are let through one at a time, spaced apart, the
/// spacing doubling with each 429 and halving with each answer that shows tokens left. So concurrent callers
/// settle near the bucket's refill rate instead of storming it, and other subscriptions are unaffected.
/// </summary>
internal sealed class SubscriptionPacer
{
    private static readonly TimeSpan MaxSpacing = TimeSpan.FromSeconds(5);
    private readonly Dictionary<(string Subscription, string Bucket), Lane> _lanes = [];
    private readonly TimeProvider _timeProvider;
    private readonly IOptions<DefenderOptions> _options;

    public SubscriptionPacer(TimeProvider timeProvider, IOptions<DefenderOptions> options)
    {
        _timeProvider = timeProvider;
        _options = options;
    }

    /// <summary>Waits for this request's turn in the bucket's lane.</summary>
    public async Task WaitAsync(string subscription, string bucket, CancellationToken cancellationToken)
    {
        DateTimeOffset slot;
        var now = _timeProvider.GetUtcNow();
        lock (_lanes)
        {
            if (!_lanes.TryGetValue((subscription, bucket), out var lane))
            {
                return;
            }

            slot = lane.Next > now ? lane.Next : now;
            lane.Next = slot + lane.Spacing;
        }

        var wait = slot - now;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A 429: slow down, and send nothing before <paramref name="retryAfter"/> has passed.</summary>
    public void Throttled(string subscription, string bucket, TimeSpan? retryAfter)
    {
        var basePause = _options.Value.EmptyBucketPause;
        Update(subscription, bucket, lane =>
        {
            lane.Spacing = lane.Spacing < basePause ? basePause : Min(lane.Spacing * 2, MaxSpacing);
            var until = _timeProvider.GetUtcNow() + (retryAfter > lane.Spacing ? retryAfter.Value : lane.Spacing);
            lane.Next = lane.Next > until ? lane.Next : until;
        });
    }

    /// <summary>An answer with <paramref name="remaining"/> tokens left in the bucket.</summary>
    public void Answered(string subscription, string bucket, int remaining)
    {
        var basePause = _options.Value.EmptyBucketPause;
        if (remaining == 0)
        {
            Update(subscription, bucket, lane =>
            {
                lane.Spacing = lane.Spacing < basePause ? basePause : lane.Spacing;
                var until = _timeProvider.GetUtcNow() + lane.Spacing;
                lane.Next = lane.Next > until ? lane.Next : until;
            });
            return;
        }

        lock (_lanes)
        {
            if (_lanes.TryGetValue((subscription, bucket), out var lane))
            {
                lane.Spacing /= 2;
                if (lane.Spacing < basePause / 2)
                {
                    _lanes.Remove((subscription, bucket));
                }
            }
        }
    }

    private void Update(string subscription, string bucket, Action<Lane> change)
    {
        lock (_lanes)
        {
            if (!_lanes.TryGetValue((subscription, bucket), out var lane))
            {
                lane = new Lane { Next = _timeProvider.GetUtcNow() };
                _lanes[(subscription, bucket)] = lane;
            }

            change(lane);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed class Lane
    {
        public DateTimeOffset Next { get; set; }

        public TimeSpan Spacing { get; set; }
    }
}
