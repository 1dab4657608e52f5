namespace DefenderSnow.Benchmark;

/// <summary>What one scenario measured. Request counts are the simulators' own, token requests and 429s included.</summary>
public sealed record ScenarioResult
{
    public required string Name { get; init; }

    /// <summary>The target, as text; empty when the scenario is reported only.</summary>
    public required string Target { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public required int ServiceNowRequests { get; init; }

    public required int ResourceManagerReads { get; init; }

    /// <summary>PUTs and DELETEs, refused ones (429) included.</summary>
    public required int ResourceManagerWrites { get; init; }

    /// <summary>Writes the Resource Manager buckets refused with 429.</summary>
    public int ResourceManagerThrottled { get; init; }

    public required int TableOperations { get; init; }

    /// <summary>The highest working set of this process (the app and the benchmark's bookkeeping; the simulators run apart) while the scenario ran.</summary>
    public required long PeakWorkingSetBytes { get; init; }

    /// <summary>The working set when the scenario started, after a full garbage collection.</summary>
    public required long StartWorkingSetBytes { get; init; }

    /// <summary>The simulators' process's working set when the scenario ended (not ours; for scale).</summary>
    public long SimulatorsWorkingSetBytes { get; init; }

    /// <summary>Whether the scenario did all it had to (checked against the simulators and Table Storage).</summary>
    public required bool Completed { get; init; }

    /// <summary>With the write bucket on: the least time the buckets allow for the writes made.</summary>
    public TimeSpan? Floor { get; init; }

    /// <summary>Ratio, comparison or check, for the table's last column.</summary>
    public string Notes { get; init; } = string.Empty;

    /// <summary>Our time ÷ the floor, when there is one.</summary>
    public double? FloorRatio => Floor is { } floor && floor > TimeSpan.Zero ? Elapsed / floor : null;
}
