using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Health;

/// <summary>Asks every registered probe at once; healthy only when all answer.</summary>
public sealed partial class HealthService
{
    /// <summary>A dependency slower than this is unhealthy for a health check's purpose.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);
    private readonly IEnumerable<IHealthProbe> _probes;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<HealthService> _logger;

    public HealthService(IEnumerable<IHealthProbe> probes, TimeProvider timeProvider, ILogger<HealthService> logger)
    {
        _probes = probes;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
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
