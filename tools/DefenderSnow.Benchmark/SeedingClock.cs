namespace DefenderSnow.Benchmark;

/// <summary>
/// The ServiceNow simulator's clock: the system's, except while tickets are seeded, when each gets a time of its own,
/// 10 ms after the one before and all in the past. Seeding in memory makes thousands of tickets a second, far more
/// than an instance's Table API does; a sync cursor remembers every ticket of its last second, so tickets sharing a
/// second by the ten thousand would measure the seeding, not a realistic population.
/// </summary>
internal sealed class SeedingClock : TimeProvider
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(10);
    private DateTimeOffset? _pinned;

    public override DateTimeOffset GetUtcNow() => _pinned ?? System.GetUtcNow();

    /// <summary>Runs <paramref name="create"/> for each of <paramref name="count"/> tickets at past times 10 ms apart, ending just before now.</summary>
    public void Seed(int count, Action<int> create)
    {
        var start = System.GetUtcNow() - (Spacing * count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                _pinned = start + (Spacing * i);
                create(i);
            }
        }
        finally
        {
            _pinned = null;
        }
    }
}
