using DefenderSnow.Core.Health;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Storage;

/// <summary>Healthy when the app's queues answer an authorised request (which also creates them when missing).</summary>
internal sealed partial class QueueStorageHealthProbe : IHealthProbe
{
    private readonly QueueClientProvider _queues;
    private readonly ILogger<QueueStorageHealthProbe> _logger;

    public QueueStorageHealthProbe(QueueClientProvider queues, ILogger<QueueStorageHealthProbe> logger)
    {
        _queues = queues;
        _logger = logger;
    }

    public string Name => "QueueStorage";

    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var queue in Enum.GetValues<WorkQueue>())
            {
                var client = await _queues.GetAsync(queue, cancellationToken).ConfigureAwait(false);
                await client.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(_logger, e.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue Storage health check failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
