using DefenderSnow.Core.Defender;

namespace DefenderSnow.Core.Findings;

/// <summary>
/// Every recommendation's severity as a subscription sees it, from that subscription's metadata list, kept for
/// <see cref="Lifetime"/>. The subscription's list holds the built-in recommendations and the subscription's custom
/// ones (ListAssessmentsMetadata_subscription_example.json in Azure/azure-rest-api-specs lists a <c>BuiltIn</c> and a
/// <c>CustomPolicy</c> one), so the tenant-wide list is not read: it would only repeat the built-ins, one more read a
/// pass. Recommendations change with Defender releases and policy edits, not between sync runs, so each subscription's
/// list is read about once an hour per process. Concurrent callers share one read. A severity DefenderSnow does not know
/// is kept as Defender wrote it (it ranks highest, <see cref="FindingSeverity"/>) and reported to
/// <see cref="UnrecognizedSeverityLog"/>.
/// </summary>
internal sealed class AssessmentSeverityCatalog
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly TimeProvider _timeProvider;
    private readonly UnrecognizedSeverityLog _unrecognized;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (Task<IReadOnlyDictionary<string, string?>> Read, DateTimeOffset At)> _bySubscription = new(StringComparer.OrdinalIgnoreCase);

    public AssessmentSeverityCatalog(TimeProvider timeProvider, UnrecognizedSeverityLog unrecognized)
    {
        _timeProvider = timeProvider;
        _unrecognized = unrecognized;
    }

    /// <summary>
    /// Severity by recommendation name (without regard to case) as <paramref name="subscriptionId"/> sees it: the built-in
    /// recommendations and the subscription's own. A failed read is thrown, and tried again by the next call.
    /// </summary>
    /// <param name="defender">The caller's client: the catalog outlives any one typed client.</param>
    /// <param name="subscriptionId">The subscription's GUID.</param>
    /// <param name="cancellationToken">Cancels the read this call starts (a read already under way is shared as it is).</param>
    public Task<IReadOnlyDictionary<string, string?>> GetAsync(IDefenderClient defender, string subscriptionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(defender);
        var now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            if (!_bySubscription.TryGetValue(subscriptionId, out var entry) || entry.Read.IsFaulted || entry.Read.IsCanceled || now - entry.At >= Lifetime)
            {
                entry = (ReadAsync(defender.ListSubscriptionAssessmentMetadataAsync(subscriptionId, cancellationToken)), now);
                _bySubscription[subscriptionId] = entry;
            }

            return entry.Read;
        }
    }

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
