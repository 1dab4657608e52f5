using DefenderSnow.Core.Defender;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.Defender;

/// <summary>
/// The pacer against a simulated token bucket, on a fake clock: callers, their attempts on the wire, the bucket's
/// answers and 429s are events in one deterministic timeline, so what is asserted is the timeline's own time.
/// </summary>
public sealed class SubscriptionPacerTests
{
    private const string Subscription = "44444444-4444-4444-4444-444444444444";
    private const string Deletes = "deletes";
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(30);

    [TestCase(200, 100.0, 8, 3000, 0)]
    [TestCase(200, 100.0, 16, 3000, 0)]
    [TestCase(200, 10.0, 4, 1000, 0)]
    // 16 callers at a bucket of 10 that nothing is known of yet: the first ones meet 429s until the rate is measured.
    [TestCase(10, 200.0, 16, 3000, 50)]
    public void Callers_faster_than_the_refill_finish_within_a_few_percent_of_the_floor_with_few_429s(int capacity, double refill, int callers, int requests, int most429s)
    {
        var run = Timeline.Run(capacity, refill, callers, requests, _ => Latency);

        var floor = TimeSpan.FromSeconds((requests - capacity) / refill);
        TestContext.Progress.WriteLine($"{run.Elapsed} for a floor of {floor}; {run.Refused} refused; rate {run.Rate:0.0}");
        Assert.Multiple(() =>
        {
            Assert.That(run.Elapsed, Is.LessThanOrEqualTo(floor * 1.03), "paced at the refill rate, not below it");
            Assert.That(run.Refused, Is.LessThanOrEqualTo(most429s), "the reserve keeps the requests in flight off 429");
            Assert.That(run.Rate, Is.EqualTo(refill).Within(10).Percent, "the refill rate is learnt from the remaining counts");
        });
    }

    [Test]
    public void Answers_that_overtake_one_another_still_settle_at_the_refill_rate()
    {
        // 15 to 69 ms: later requests are often answered first, so successive remaining counts are out of order.
        var run = Timeline.Run(200, 100, 8, 3000, n => TimeSpan.FromMilliseconds(15 + (n * 37 % 55)));

        var floor = TimeSpan.FromSeconds((3000 - 200) / 100.0);
        Assert.Multiple(() =>
        {
            Assert.That(run.Elapsed, Is.LessThanOrEqualTo(floor * 1.05));
            Assert.That(run.Refused, Is.LessThanOrEqualTo(5));
            Assert.That(run.Rate, Is.EqualTo(100).Within(15).Percent);
        });
    }

    [Test]
    public void Callers_slower_than_the_refill_are_never_held()
    {
        // 2 callers at 30 ms a request: about 67 a second, below the 100 the bucket refills.
        var run = Timeline.Run(200, 100, 2, 2000, _ => Latency);

        Assert.Multiple(() =>
        {
            Assert.That(run.Elapsed, Is.EqualTo(Latency * 1000), "each caller's requests back to back");
            Assert.That(run.Refused, Is.Zero);
        });
    }

    [Test]
    public void A_429_holds_the_bucket_for_its_retry_after_and_only_that_bucket()
    {
        var clock = new FakeTimeProvider(Start);
        var pacer = new SubscriptionPacer(clock, Options.Create(new DefenderOptions()));
        const string other = "55555555-5555-5555-5555-555555555555";
        foreach (var (subscription, bucket) in new[] { (Subscription, Deletes), (Subscription, "writes"), (other, Deletes) })
        {
            pacer.Sending(subscription, bucket);
            pacer.Answered(subscription, bucket, 150);
        }

        pacer.Sending(Subscription, Deletes);
        pacer.Throttled(Subscription, Deletes, TimeSpan.FromSeconds(7));

        Assert.Multiple(() =>
        {
            Assert.That(pacer.TakeTurn(Subscription, Deletes), Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(pacer.TakeTurn(Subscription, "writes"), Is.EqualTo(TimeSpan.Zero), "writes have their own bucket");
            Assert.That(pacer.TakeTurn(other, Deletes), Is.EqualTo(TimeSpan.Zero), "other subscriptions have their own buckets");
        });
    }

    [Test]
    public void Before_any_answer_nothing_is_held()
    {
        var pacer = new SubscriptionPacer(new FakeTimeProvider(Start), Options.Create(new DefenderOptions()));

        Assert.That(pacer.TakeTurn(Subscription, Deletes), Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void Without_a_measured_rate_requests_go_while_a_token_is_shown_and_then_at_a_token_per_empty_bucket_pause()
    {
        var clock = new FakeTimeProvider(Start);
        var pacer = new SubscriptionPacer(clock, Options.Create(new DefenderOptions { EmptyBucketPause = TimeSpan.FromSeconds(2) }));
        pacer.Sending(Subscription, Deletes);
        pacer.Sending(Subscription, Deletes);
        pacer.Answered(Subscription, Deletes, 1);

        Assert.That(pacer.TakeTurn(Subscription, Deletes), Is.EqualTo(TimeSpan.Zero), "a token shown, and nothing known to spare it for");

        pacer.Answered(Subscription, Deletes, 0);
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.That(pacer.TakeTurn(Subscription, Deletes), Is.EqualTo(TimeSpan.FromSeconds(1)), "half a token refilled in a second, at the guessed rate");
    }

    private sealed record Outcome(TimeSpan Elapsed, int Refused, double? Rate);

    /// <summary>
    /// Callers that each send their next request once the last is answered, through the pacer as the handlers use it
    /// (turn, attempt on the wire, answer), against a bucket that works as Resource Manager's (and the simulator's):
    /// continuous refill, the remaining count rounded down, a 429 with <c>Retry-After</c> in whole seconds rounded down.
    /// A throttled attempt is retried after its <c>Retry-After</c>, as the resilience pipeline does, without a new turn.
    /// </summary>
    private sealed class Timeline
    {
        private readonly FakeTimeProvider _clock = new(Start);
        private readonly PriorityQueue<Action, (DateTimeOffset At, long Order)> _events = new();
        private readonly SubscriptionPacer _pacer;
        private readonly Func<int, TimeSpan> _latency;
        private readonly int _capacity;
        private readonly double _refill;
        private readonly int _requests;
        private double _tokens;
        private DateTimeOffset _refilledAt = Start;
        private long _order;
        private int _started;
        private int _refused;

        private Timeline(int capacity, double refill, int requests, Func<int, TimeSpan> latency)
        {
            _pacer = new SubscriptionPacer(_clock, Options.Create(new DefenderOptions()));
            _capacity = capacity;
            _refill = refill;
            _tokens = capacity;
            _requests = requests;
            _latency = latency;
        }

        public static Outcome Run(int capacity, double refill, int callers, int requests, Func<int, TimeSpan> latency)
        {
            var timeline = new Timeline(capacity, refill, requests, latency);
            for (var i = 0; i < callers; i++)
            {
                timeline.Next();
            }

            while (timeline._events.TryDequeue(out var action, out var key))
            {
                if (key.At > timeline._clock.GetUtcNow())
                {
                    timeline._clock.Advance(key.At - timeline._clock.GetUtcNow());
                }

                action();
            }

            return new Outcome(timeline._clock.GetUtcNow() - Start, timeline._refused, timeline._pacer.RateOf(Subscription, Deletes));
        }

        private DateTimeOffset Now => _clock.GetUtcNow();

        private void At(DateTimeOffset when, Action action) => _events.Enqueue(action, (when, _order++));

        private void Next()
        {
            if (_started == _requests)
            {
                return;
            }

            var n = _started++;
            var wait = _pacer.TakeTurn(Subscription, Deletes);
            At(Now + wait, () =>
            {
                if (wait > TimeSpan.Zero)
                {
                    _pacer.TurnCame(Subscription, Deletes);
                }

                Attempt(n);
            });
        }

        private void Attempt(int n)
        {
            _pacer.Sending(Subscription, Deletes);
            var half = _latency(n) / 2;
            At(Now + half, () =>
            {
                var (allowed, remaining, retryAfter) = Take();
                At(Now + half, () =>
                {
                    if (allowed)
                    {
                        _pacer.Answered(Subscription, Deletes, remaining);
                        Next();
                        return;
                    }

                    _refused++;
                    _pacer.Throttled(Subscription, Deletes, retryAfter);
                    At(Now + retryAfter, () => Attempt(n));
                });
            });
        }

        private (bool Allowed, int Remaining, TimeSpan RetryAfter) Take()
        {
            _tokens = Math.Min(_capacity, _tokens + ((Now - _refilledAt).TotalSeconds * _refill));
            _refilledAt = Now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                return (true, (int)Math.Floor(_tokens), TimeSpan.Zero);
            }

            return (false, 0, TimeSpan.FromSeconds(Math.Floor((1 - _tokens) / _refill)));
        }
    }
}
