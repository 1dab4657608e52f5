using DefenderSnow.Core.Defender;

namespace DefenderSnow.Core.Findings;

/// <summary>
/// Every recommendation's severity, from the tenant-wide metadata list, kept for <see cref="Lifetime"/>: recommendations
/// change with Defender releases, not between sync runs, so the list is read about once an hour per process instead of
/// once per subscription read.
/// </summary>
internal sealed class AssessmentSeverityCatalog : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyDictionary<string, string?>? _severities;
    private DateTimeOffset _readAt;

    public AssessmentSeverityCatalog(TimeProvider timeProvider) => _timeProvider = timeProvider;

    /// <summary>Severity by recommendation name (without regard to case); a failed read is thrown, and tried again by the next call.</summary>
    /// <param name="defender">The caller's client: the catalog outlives any one typed client.</param>
    public async Task<IReadOnlyDictionary<string, string?>> GetAsync(IDefenderClient defender, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(defender);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_severities is null || _timeProvider.GetUtcNow() - _readAt >= Lifetime)
            {
                var metadata = await defender.ListAssessmentMetadataAsync(cancellationToken).ConfigureAwait(false);
                var severities = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                foreach (var item in metadata)
                {
                    severities[item.Name] = item.Severity?.ToString();
                }

                _severities = severities;
                _readAt = _timeProvider.GetUtcNow();
            }

            return _severities;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
