using DefenderSnow.Core.Defender;

namespace DefenderSnow.Core.Findings;

/// <summary>
/// Every recommendation's severity, from the tenant-wide metadata list and, per subscription, that subscription's own list
/// (where its custom recommendations are, which the tenant-wide list leaves out), each kept for <see cref="Lifetime"/>:
/// recommendations change with Defender releases and policy edits, not between sync runs, so each list is read about once
/// an hour per process (one tenant read, and one per subscription) instead of once per subscription read. Concurrent
/// callers share one read. A severity DefenderSnow does not know is kept as Defender wrote it (it ranks highest,
/// <see cref="FindingSeverity"/>) and reported to <see cref="UnrecognizedSeverityLog"/>.
/// </summary>
internal sealed class AssessmentSeverityCatalog
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly TimeProvider _timeProvider;
    private readonly UnrecognizedSeverityLog _unrecognized;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (Task<IReadOnlyDictionary<string, string?>> Read, DateTimeOffset At)> _bySubscription = new(StringComparer.OrdinalIgnoreCase);
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

    /// <summary>
    /// Severity by recommendation name as <paramref name="subscriptionId"/> sees it: the tenant's recommendations and the
    /// subscription's own (which win where both name one). A failed read is thrown, and tried again by the next call.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string?>> GetAsync(IDefenderClient defender, string subscriptionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(defender);
        var tenant = GetAsync(defender, cancellationToken);
        Task<IReadOnlyDictionary<string, string?>> own;
        var now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            if (!_bySubscription.TryGetValue(subscriptionId, out var entry) || entry.Read.IsFaulted || entry.Read.IsCanceled || now - entry.At >= Lifetime)
            {
                entry = (ReadAsync(defender.ListSubscriptionAssessmentMetadataAsync(subscriptionId, cancellationToken)), now);
                _bySubscription[subscriptionId] = entry;
            }

            own = entry.Read;
        }

        await Task.WhenAll(tenant, own).ConfigureAwait(false);
        var merged = new Dictionary<string, string?>(await tenant.ConfigureAwait(false), StringComparer.OrdinalIgnoreCase);
        foreach (var (name, severity) in await own.ConfigureAwait(false))
        {
            merged[name] = severity;
        }

        return merged;
    }

    private Task<IReadOnlyDictionary<string, string?>> ReadAsync(IDefenderClient defender, CancellationToken cancellationToken) =>
        ReadAsync(defender.ListAssessmentMetadataAsync(cancellationToken));

    private async Task<IReadOnlyDictionary<string, string?>> ReadAsync(Task<IReadOnlyList<AssessmentMetadata>> listing)
    {
        var metadata = await listing.ConfigureAwait(false);
        var severities = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in metadata)
        {
            severities[item.Name] = item.SeverityName;
            _unrecognized.Report(item.Name, item.UnrecognizedSeverity);
        }

        return severities;
    }
}
