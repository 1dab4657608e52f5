using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Resource Manager throttles per subscription with a token bucket each for reads, writes and deletes, and tells in
/// every answer how many tokens are left (<c>x-ms-ratelimit-remaining-subscription-*</c>). This keeps, per
/// subscription and bucket and across the whole process, a copy of that bucket: the count the last answer gave, less
/// the attempts still on the wire and the requests already given a turn, plus what refilled since at the rate the
/// answers show (the remaining counts of successive answers, over time, with the requests answered in between).
/// While more than a small reserve is left, requests go at once; below it, each waits for the token the refill
/// brings, so requests leave at the refill rate instead of emptying the bucket and meeting 429s. Every answer sets
/// the copy right again, so an estimate that is off only moves the level it settles at. A 429 empties the copy and
/// holds the bucket's requests until its <c>Retry-After</c>; other subscriptions and buckets are unaffected.
/// </summary>
internal sealed class SubscriptionPacer
{
    /// <summary>
    /// Tokens left alone: the remaining counts are whole tokens rounded down, and answers overtake one another, so the
    /// copy is a token or two off either way; attempts in flight are counted separately.
    /// </summary>
    internal const int Reserve = 3;

    /// <summary>
    /// Remaining counts are compared once this many tokens refilled between them, or <see cref="RateSampleSpan"/> passed:
    /// over fewer, answers that overtook one another would blur the rate.
    /// </summary>
    private const int RateSampleTokens = 25;

    private static readonly TimeSpan RateSampleSpan = TimeSpan.FromSeconds(1);

    /// <summary>The slowest rate a bucket is assumed to refill at (others may share it), so a subscription is never held for long.</summary>
    private const double MinRate = 0.2;

    private readonly Dictionary<(string Subscription, string Bucket), Lane> _lanes = [];
    private readonly TimeProvider _timeProvider;
    private readonly IOptions<DefenderOptions> _options;

    public SubscriptionPacer(TimeProvider timeProvider, IOptions<DefenderOptions> options)
    {
        _timeProvider = timeProvider;
        _options = options;
    }

    /// <summary>Waits for this request's turn in the bucket: none while tokens are left, the refill's pace once it runs low.</summary>
    public async Task WaitAsync(string subscription, string bucket, CancellationToken cancellationToken)
    {
        var wait = TakeTurn(subscription, bucket);
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TurnCame(subscription, bucket);
        }
    }

    /// <summary>Gives a request its turn: how long it must wait for it; after a wait, <see cref="TurnCame"/> must follow.</summary>
    internal TimeSpan TakeTurn(string subscription, string bucket)
    {
        lock (_lanes)
        {
            if (!_lanes.TryGetValue((subscription, bucket), out var lane) || lane.Level is null)
            {
                return TimeSpan.Zero;
            }

            var wait = lane.Take(_timeProvider.GetUtcNow(), FallbackRate);
            if (wait > TimeSpan.Zero)
            {
                lane.Waiting++;
            }

            return wait;
        }
    }

    /// <summary>The wait <see cref="TakeTurn"/> asked for is over (or cancelled).</summary>
    internal void TurnCame(string subscription, string bucket)
    {
        lock (_lanes)
        {
            _lanes[(subscription, bucket)].Waiting--;
        }
    }

    /// <summary>The refill rate measured for a bucket, in tokens per second; null until the answers have shown it.</summary>
    internal double? RateOf(string subscription, string bucket)
    {
        lock (_lanes)
        {
            return _lanes.TryGetValue((subscription, bucket), out var lane) ? lane.Rate : null;
        }
    }

    /// <summary>The tokens this process last saw left in a bucket, plus the refill since it last looked; null until an answer showed a count.</summary>
    internal double? KnownRemaining(string subscription, string bucket)
    {
        lock (_lanes)
        {
            return _lanes.TryGetValue((subscription, bucket), out var lane) ? lane.Level : null;
        }
    }

    /// <summary>An attempt goes on the wire (retries included): it will take a token the answers do not show yet.</summary>
    public void Sending(string subscription, string bucket)
    {
        lock (_lanes)
        {
            if (!_lanes.TryGetValue((subscription, bucket), out var lane))
            {
                lane = new Lane();
                _lanes[(subscription, bucket)] = lane;
            }

            lane.InFlight++;
        }
    }

    /// <summary>An attempt ended with an answer showing <paramref name="remaining"/> tokens left, or none shown (or no answer).</summary>
    public void Answered(string subscription, string bucket, int? remaining)
    {
        var now = _timeProvider.GetUtcNow();
        lock (_lanes)
        {
            var lane = _lanes[(subscription, bucket)];
            lane.InFlight--;
            if (remaining is { } left)
            {
                lane.Observe(now, left);
            }
        }
    }

    /// <summary>An attempt was throttled (429): the bucket is empty, and nothing goes before <paramref name="retryAfter"/> has passed.</summary>
    public void Throttled(string subscription, string bucket, TimeSpan? retryAfter)
    {
        var now = _timeProvider.GetUtcNow();
        lock (_lanes)
        {
            var lane = _lanes[(subscription, bucket)];
            lane.InFlight--;
            lane.Empty(now, retryAfter > TimeSpan.Zero ? retryAfter.Value : TimeSpan.Zero);
        }
    }

    /// <summary>The refill rate assumed until the answers have shown one: a token per <see cref="DefenderOptions.EmptyBucketPause"/>.</summary>
    private double FallbackRate => 1 / Math.Max(_options.Value.EmptyBucketPause.TotalSeconds, 0.001);

    /// <summary>One subscription's bucket as this process sees it. Every member is used under the pacer's lock.</summary>
    private sealed class Lane
    {
        /// <summary>The bucket's tokens at <see cref="LevelAt"/>: what the last answer showed, plus the refill since. Null until an answer told.</summary>
        public double? Level { get; private set; }

        /// <summary>When <see cref="Level"/> was true; in the future while a 429's <c>Retry-After</c> holds the bucket.</summary>
        private DateTimeOffset LevelAt { get; set; }

        /// <summary>The refill rate in tokens per second, measured from the answers; null until measured.</summary>
        public double? Rate { get; private set; }

        /// <summary>The most tokens an answer ever showed, plus the one it took: the bucket's size, as far as is known.</summary>
        private int Capacity { get; set; }

        /// <summary>Attempts on the wire: sent after the last answer's request (else they would have been answered first), so not counted in it.</summary>
        public int InFlight { get; set; }

        /// <summary>Requests given a turn that have not come yet: the tokens of the turns before theirs are spoken for.</summary>
        public int Waiting { get; set; }

        /// <summary>The answers with a remaining count, in the order they arrived.</summary>
        private long Answers { get; set; }

        /// <summary>Where the current rate measurement started.</summary>
        private (DateTimeOffset At, int Remaining, long Answers)? Sample { get; set; }

        /// <summary>
        /// The next turn: now while more than the reserve is left once the attempts in flight and the turns given out
        /// have taken theirs, else when the refill brings the token. Until the rate is measured (it can only be learnt by
        /// spending), requests go while the last answer showed a token, and otherwise wait for one at the guessed rate.
        /// </summary>
        public TimeSpan Take(DateTimeOffset now, double fallbackRate)
        {
            var rate = Rate ?? fallbackRate;
            if (now > LevelAt)
            {
                Level = Math.Min(Level!.Value + (rate * (now - LevelAt).TotalSeconds), Capacity > 0 ? Capacity : double.MaxValue);
                LevelAt = now;
            }

            var start = LevelAt > now ? LevelAt : now;
            var missing = Rate is null ? 1 - Level!.Value : Reserve + 1 + InFlight + Waiting - Level!.Value;
            return (start - now) + TimeSpan.FromSeconds(Math.Max(0, missing) / rate);
        }

        /// <summary>An answer left <paramref name="remaining"/> tokens.</summary>
        public void Observe(DateTimeOffset now, int remaining)
        {
            Answers++;
            Capacity = Math.Max(Capacity, remaining + 1);
            if (now >= LevelAt)
            {
                Level = remaining;
                LevelAt = now;
            }

            Measure(now, remaining);
        }

        /// <summary>A 429: nothing left, and nothing comes back before <paramref name="retryAfter"/>.</summary>
        public void Empty(DateTimeOffset now, TimeSpan retryAfter)
        {
            var until = now + retryAfter;
            if (until >= LevelAt)
            {
                Level = 0;
                LevelAt = until;
            }
        }

        /// <summary>
        /// Refill = the remaining count's change plus the tokens the answers in between took, over the time between.
        /// Only while the bucket was below full: a full bucket refills nothing, and the rate would read low. So a count
        /// showing it full (less the token just taken) starts the measurement afresh: from there on it was below full.
        /// </summary>
        private void Measure(DateTimeOffset now, int remaining)
        {
            if (Sample is not { } sample || remaining >= Capacity - 1)
            {
                Sample = (now, remaining, Answers);
                return;
            }

            var span = now - sample.At;
            var refilled = remaining - sample.Remaining + (Answers - sample.Answers);
            if (span <= TimeSpan.Zero || (span < RateSampleSpan && refilled < RateSampleTokens))
            {
                return;
            }

            Sample = (now, remaining, Answers);
            var measured = Math.Max(refilled / span.TotalSeconds, MinRate);
            // Smoothed: one span's count is off by the answers that overtook one another at its ends.
            Rate = Rate is { } known ? (known + measured) / 2 : measured;
        }
    }
}
