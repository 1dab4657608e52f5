using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Health;

/// <summary>
/// Asks every registered probe at once; healthy only when all answer. The answer is kept for
/// <see cref="CacheFor"/>, so however often the readiness probe is called, Key Vault, Table Storage and the
/// queues see at most one check each per interval (issue 26, M5: an uncached probe let any caller fan out to
/// every dependency at will).
/// </summary>
public sealed partial class HealthService : IDisposable
{
    /// <summary>How long one answer stands: short enough for a platform probe to see an outage within one interval.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);

    /// <summary>A dependency slower than this is unhealthy for a health check's purpose.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);
    private readonly IEnumerable<IHealthProbe> _probes;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<HealthService> _logger;

    // One check at a time, so concurrent callers after expiry wait for the same check instead of each starting one.
    private readonly SemaphoreSlim _checking = new(1, 1);
    private (bool Healthy, DateTimeOffset CheckedAt)? _last;

    public HealthService(IEnumerable<IHealthProbe> probes, TimeProvider timeProvider, ILogger<HealthService> logger)
    {
        _probes = probes;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } cached)
        {
            return cached;
        }

        await _checking.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } checkedMeanwhile)
            {
                return checkedMeanwhile;
            }

            var healthy = await CheckAllAsync(cancellationToken).ConfigureAwait(false);
            _last = (healthy, _timeProvider.GetUtcNow());
            return healthy;
        }
        finally
        {
            _checking.Release();
        }
    }

    public void Dispose() => _checking.Dispose();

    private bool? Fresh() =>
        _last is { } last && _timeProvider.GetUtcNow() - last.CheckedAt < CacheFor ? last.Healthy : null;

    private async Task<bool> CheckAllAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(ProbeTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var results = await Task.WhenAll(_probes.Select(async probe =>
        {
            bool healthy;
            try
            {
                healthy = await probe.CheckAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                healthy = false;
            }

            if (!healthy)
            {
                LogProbeFailed(_logger, probe.Name);
            }

            return healthy;
        })).ConfigureAwait(false);
        return results.All(r => r);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health probe {Probe} failed")]
    private static partial void LogProbeFailed(ILogger logger, string probe);
}
