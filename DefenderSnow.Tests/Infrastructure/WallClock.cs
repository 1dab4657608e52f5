using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> for whole-app tests: the test sets the wall clock (<see cref="TimeProvider.GetUtcNow"/>),
/// while timers keep real time, so the HTTP pipelines' retry delays and timeouts still elapse on their own.
/// </summary>
public sealed class WallClock : FakeTimeProvider
{
    public WallClock()
        : base(DateTimeOffset.UtcNow)
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, dueTime, period);

    public override long GetTimestamp() => System.GetTimestamp();

    public override long TimestampFrequency => System.TimestampFrequency;
}
