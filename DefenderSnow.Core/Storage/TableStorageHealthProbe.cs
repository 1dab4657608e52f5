using DefenderSnow.Core.Health;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Storage;

/// <summary>Healthy when the Table service answers an authorised request.</summary>
internal sealed partial class TableStorageHealthProbe : IHealthProbe
{
    private readonly TableClientProvider _tables;
    private readonly ILogger<TableStorageHealthProbe> _logger;

    public TableStorageHealthProbe(TableClientProvider tables, ILogger<TableStorageHealthProbe> logger)
    {
        _tables = tables;
        _logger = logger;
    }

    public string Name => "TableStorage";

    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in _tables.Service.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(_logger, e.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Table Storage health check failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
