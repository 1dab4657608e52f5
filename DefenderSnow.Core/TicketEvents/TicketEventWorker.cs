using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Sync;
using DefenderSnow.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.TicketEvents;

/// <summary>
/// Handles one <c>ticket-events</c> message: clears the ticket's pending marker, reads the ticket from ServiceNow with
/// the integration's credentials and applies it with <see cref="TicketChangeApplier"/>, the very rules of the sync.
/// A failure is thrown so the host delivers the message again; after the last delivery it goes to the poison queue
/// and the next sync run catches the change.
/// </summary>
public sealed partial class TicketEventWorker
{
    private readonly PendingTicketEventStore _pending;
    private readonly IIntegrationStore _integrations;
    private readonly IAssignmentStore _assignments;
    private readonly IServiceNowClientFactory _clients;
    private readonly TicketChangeApplier _applier;
    private readonly DefenderSnowTelemetry _telemetry;
    private readonly IOptions<SyncOptions> _syncOptions;
    private readonly ILogger<TicketEventWorker> _logger;

    public TicketEventWorker(
        PendingTicketEventStore pending,
        IIntegrationStore integrations,
        IAssignmentStore assignments,
        IServiceNowClientFactory clients,
        TicketChangeApplier applier,
        DefenderSnowTelemetry telemetry,
        IOptions<SyncOptions> syncOptions,
        ILogger<TicketEventWorker> logger)
    {
        _pending = pending;
        _integrations = integrations;
        _assignments = assignments;
        _clients = clients;
        _applier = applier;
        _telemetry = telemetry;
        _syncOptions = syncOptions;
        _logger = logger;
    }

    /// <param name="message">The queue message.</param>
    /// <param name="dequeueCount">How often the queue has delivered it, this time included.</param>
    /// <param name="cancellationToken">The host's shutdown.</param>
    public async Task HandleAsync(TicketEventMessage message, long dequeueCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);

        // Before the read: an event that arrives from now on enqueues again, so a change made after our read is not lost.
        await _pending.ClearAsync(message.IntegrationId, message.Table, message.SysId, cancellationToken).ConfigureAwait(false);
        try
        {
            await ApplyAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (dequeueCount >= _syncOptions.Value.SyncMaxDequeueCount && e is not OperationCanceledException)
        {
            LogGaveUp(e, message.IntegrationId, message.Table, message.SysId, dequeueCount);
            throw;
        }
    }

    private async Task ApplyAsync(TicketEventMessage message, CancellationToken cancellationToken)
    {
        var integration = await _integrations.GetAsync(message.IntegrationId, cancellationToken).ConfigureAwait(false);
        var assignment = integration is null || integration.Value.DeletionStartedAt is not null
            ? null
            : await _assignments.GetAsync(message.IntegrationId, message.AssignmentId, cancellationToken).ConfigureAwait(false);
        if (assignment is null || assignment.Value.Status == AssignmentStatus.Closed || assignment.Value.Ticket.SysId != message.SysId)
        {
            // Closed or deleted since the event was taken: nothing is left to follow the ticket.
            return;
        }

        var client = _clients.Create(integration!.Value.ToConnection());
        var tickets = await client.GetTicketsAsync(message.Table, [message.SysId], cancellationToken).ConfigureAwait(false);
        var tally = new SyncTally(message.IntegrationId);
        bool applied;
        if (tickets.Count > 0)
        {
            applied = await _applier.ApplyAsync(message.IntegrationId, tickets[0], tally, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // No rows is no proof: a list read drops what ACLs hide. Only a 404 for the record itself closes the assignment;
            // a refusal leaves it open for the full pass to report.
            var confirmation = await client.ConfirmTicketAsync(message.Table, message.SysId, cancellationToken).ConfigureAwait(false);
            applied = confirmation.Presence switch
            {
                ServiceNowTicketPresence.Gone => await _applier.CloseDeletedAsync(assignment, tally, cancellationToken).ConfigureAwait(false),
                ServiceNowTicketPresence.Found => await _applier.ApplyAsync(message.IntegrationId, confirmation.Ticket!, tally, cancellationToken).ConfigureAwait(false),
                _ => Unreadable(message, confirmation.Reason),
            };
        }

        _telemetry.TicketEventApplied(applied);
        if (!applied)
        {
            throw new TicketEventNotAppliedException(string.Join(" ", tally.Errors.Select(e => e.Message)));
        }

        LogApplied(message.IntegrationId, message.Table, message.SysId, tally.TicketsExamined);
    }

    private bool Unreadable(TicketEventMessage message, string? reason)
    {
        LogUnreadable(message.IntegrationId, message.Table, message.SysId, reason);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ticket event of integration {IntegrationId} names {Table} {SysId}, which the integration user may not read; nothing was closed: {Reason}")]
    private partial void LogUnreadable(string integrationId, string table, string sysId, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ticket event of integration {IntegrationId} applied {Table} {SysId} ({TicketsExamined} examined)")]
    private partial void LogApplied(string integrationId, string table, string sysId, int ticketsExamined);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ticket event of integration {IntegrationId} for {Table} {SysId} failed on its last delivery ({DequeueCount}); the next sync run applies the change")]
    private partial void LogGaveUp(Exception exception, string integrationId, string table, string sysId, long dequeueCount);
}
