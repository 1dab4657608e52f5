using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.TicketEvents;

/// <summary>
/// What a deleted integration leaves in the ticket events path, removed by the integration's deletion: the webhook
/// secrets cached in this process and the pending rows of events still queued. Repeatable, like every deletion step.
/// </summary>
public sealed partial class TicketEventRemnants
{
    private readonly WebhookSecrets _secrets;
    private readonly PendingTicketEventStore _pending;
    private readonly ILogger<TicketEventRemnants> _logger;

    public TicketEventRemnants(WebhookSecrets secrets, PendingTicketEventStore pending, ILogger<TicketEventRemnants> logger)
    {
        _secrets = secrets;
        _pending = pending;
        _logger = logger;
    }

    public async Task RemoveAsync(string integrationId, CancellationToken cancellationToken)
    {
        // Other instances forget their copies when an event names the integration again (TicketEventVerifier).
        _secrets.Forget(integrationId);
        var rows = await _pending.ClearAllAsync(integrationId, cancellationToken).ConfigureAwait(false);
        LogRemoved(integrationId, rows);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ticket events of deleted integration {IntegrationId}: cached secrets forgotten, {PendingRows} pending rows removed")]
    private partial void LogRemoved(string integrationId, int pendingRows);
}
