using System.Globalization;
using System.Text.RegularExpressions;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// Run ids sort newest first: they start with the start time's ticks subtracted from the largest ticks,
/// and the Table partition (a day bucket) is derived from that, so a run id alone locates its rows.
/// </summary>
public static partial class SyncRunId
{
    public static string New(DateTimeOffset startedAt) =>
        $"{Inverted(startedAt).ToString("D19", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}"[..28];

    public static bool IsValid(string? runId) => runId is not null && Pattern().IsMatch(runId);

    /// <summary>The partition of a valid run id: newest days first.</summary>
    public static string PartitionOf(string runId) =>
        "runs-" + (long.Parse(runId.AsSpan(0, 19), CultureInfo.InvariantCulture) / TimeSpan.TicksPerDay).ToString("D8", CultureInfo.InvariantCulture);

    private static long Inverted(DateTimeOffset time) => DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks;

    [GeneratedRegex("^[0-9]{19}-[0-9a-f]{8}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
