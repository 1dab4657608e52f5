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

    /// <summary>
    /// Whether a listing's continuation token has the shape the Table SDK gives for this table ("partition row"),
    /// so a tampered token is refused instead of silently starting somewhere else.
    /// </summary>
    public static bool IsContinuationToken(string token)
    {
        var parts = token.Split(' ');
        return parts.Length == 2
            && PartitionPattern().IsMatch(KeyOf(parts[0]))
            && RowPattern().IsMatch(KeyOf(parts[1]));
    }

    /// <summary>Continuation keys come base64-encoded (Azure prefixes <c>1!{length}!</c>, Azurite does not).</summary>
    private static string KeyOf(string part)
    {
        var encoded = part[(part.LastIndexOf('!') + 1)..];
        var bytes = new byte[encoded.Length];
        return Convert.TryFromBase64String(encoded, bytes, out var length)
            ? System.Text.Encoding.UTF8.GetString(bytes, 0, length)
            : string.Empty;
    }

    private static long Inverted(DateTimeOffset time) => DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks;

    [GeneratedRegex("^[0-9]{19}-[0-9a-f]{8}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex("^runs-[0-9]{8}$", RegexOptions.CultureInvariant)]
    private static partial Regex PartitionPattern();

    [GeneratedRegex("^[0-9]{19}-[0-9a-f]{8}(_[0-9a-f]{32})?$", RegexOptions.CultureInvariant)]
    private static partial Regex RowPattern();
}
