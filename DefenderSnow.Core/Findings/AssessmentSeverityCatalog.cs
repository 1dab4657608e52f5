using DefenderSnow.Core.Defender;

namespace DefenderSnow.Core.Findings;

/// <summary>
/// Every recommendation's severity, from the tenant-wide metadata list, kept for <see cref="Lifetime"/>: recommendations
/// change with Defender releases, not between sync runs, so the list is read about once an hour per process instead of
/// once per subscription read. Concurrent callers share one read. A severity DefenderSnow does not know is kept as
/// Defender wrote it (it ranks highest, <see cref="FindingSeverity"/>) and reported to <see cref="UnrecognizedSeverityLog"/>.
/// </summary>
internal sealed class AssessmentSeverityCatalog
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly TimeProvider _timeProvider;
    private readonly UnrecognizedSeverityLog _unrecognized;
    private readonly Lock _lock = new();
    private Task<IReadOnlyDictionary<string, string?>>? _read;
    private DateTimeOffset _readAt;

    public AssessmentSeverityCatalog(TimeProvider timeProvider, UnrecognizedSeverityLog unrecognized)
    {
        _timeProvider = timeProvider;
        _unrecognized = unrecognized;
    }

    /// <summary>Severity by recommendation name (without regard to case); a failed read is thrown, and tried again by the next call.</summary>
    /// <param name="defender">The caller's client: the catalog outlives any one typed client.</param>
    /// <param name="cancellationToken">Cancels the read this call starts (a read already under way is shared as it is).</param>
    public Task<IReadOnlyDictionary<string, string?>> GetAsync(IDefenderClient defender, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(defender);
        var now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            if (_read is null || _read.IsFaulted || _read.IsCanceled || now - _readAt >= Lifetime)
            {
                _read = ReadAsync(defender, cancellationToken);
                _readAt = now;
            }

            return _read;
        }
    }

    private async Task<IReadOnlyDictionary<string, string?>> ReadAsync(IDefenderClient defender, CancellationToken cancellationToken)
    {
        var metadata = await defender.ListAssessmentMetadataAsync(cancellationToken).ConfigureAwait(false);
        var severities = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in metadata)
        {
            severities[item.Name] = item.SeverityName;
            _unrecognized.Report(item.Name, item.UnrecognizedSeverity);
        }

        return severities;
    }
}
