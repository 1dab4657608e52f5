using System.Globalization;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// Removes one live assignment of an integration being deleted: tells its open ticket, deletes Defender's governance
/// assignment, closes the assignment as <c>integrationDeleted</c>. It tells the open tickets what happened, as its <see cref="Integration.OnDelete"/> asks: a work
/// note (the default) or a cancel. Without it the tickets stayed open with no word, and their people went on working for
/// an owner and a due date Defender no longer had. Each ticket is told once: the assignment is marked
/// (<see cref="Assignment.Closing"/>) before the write, and a delete repeated after a crash finds the mark and writes
/// nothing again (at most one note, as sync's closings). A ServiceNow that refuses the integration's credentials or cannot
/// be reached does not hold the delete up (the instance may be the reason it is deleted): the rest of the batch goes untold.
/// </summary>
public sealed partial class IntegrationAssignmentRemoval
{
    private readonly IAssignmentStore _assignments;
    private readonly IDefenderClient _defender;
    private readonly IServiceNowClientFactory _clients;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<IntegrationAssignmentRemoval> _logger;

    public IntegrationAssignmentRemoval(
        IAssignmentStore assignments, IDefenderClient defender, IServiceNowClientFactory clients, TimeProvider timeProvider, ILogger<IntegrationAssignmentRemoval> logger)
    {
        _assignments = assignments;
        _defender = defender;
        _clients = clients;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>What one batch of the delete shares: the client, made once, and whether ServiceNow gave up on it.</summary>
    internal sealed class Batch
    {
        internal Batch(Integration integration) => Integration = integration;

        internal Integration Integration { get; }

        internal IServiceNowClient? Client { get; set; }

        internal bool GaveUp { get; set; }
    }

    /// <summary>
    /// Removes the assignments of one ticket group (or one assignment) one after another, so that the last of a shared
    /// ticket knows it is the last; groups go side by side.
    /// </summary>
    internal async Task RemoveAsync(Batch batch, Versioned<Assignment> assignment, CancellationToken cancellationToken)
    {
        var told = await TellAsync(batch, assignment, cancellationToken).ConfigureAwait(false);
        if (told is null)
        {
            return;
        }

        var a = told.Value;
        await _defender.DeleteGovernanceAssignmentAsync(a.ResourceId, a.AssessmentName, a.Id, cancellationToken).ConfigureAwait(false);
        try
        {
            await _assignments.CloseAsync(BySystem(told), ClosedReason.IntegrationDeleted, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyException)
        {
            // Changed meanwhile (a sync, or another delivery of this delete): close what is there now, if still live.
            var current = await _assignments.GetAsync(a.IntegrationId, a.Id, cancellationToken).ConfigureAwait(false);
            if (current is not null && current.Value.Status != AssignmentStatus.Closed)
            {
                await _assignments.CloseAsync(BySystem(current), ClosedReason.IntegrationDeleted, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The deletion chain closes them, not the caller who asked for the delete (who may be long gone by the last batch).</summary>
    private static Versioned<Assignment> BySystem(Versioned<Assignment> assignment) =>
        assignment with { Value = assignment.Value with { UpdatedBy = ChangeActor.System } };

    /// <summary>
    /// Marks the assignment and tells its ticket, when it is the ticket's last live assignment (a ticket a rule shares
    /// among several findings is told once, with the last of them).
    /// </summary>
    /// <returns>The assignment as now stored; <c>null</c> when it was closed meanwhile.</returns>
    private async Task<Versioned<Assignment>?> TellAsync(Batch batch, Versioned<Assignment> assignment, CancellationToken cancellationToken)
    {
        var a = assignment.Value;
        if (batch.Integration.OnDelete == IntegrationDeletedAction.Leave || a.Closing is not null || a.Ticket.SysId is not { } sysId)
        {
            return assignment;
        }

        Versioned<Assignment> marked;
        try
        {
            marked = await _assignments.UpdateAsync(
                assignment with { Value = a with { Closing = ClosedReason.IntegrationDeleted, UpdatedAt = _timeProvider.GetUtcNow(), UpdatedBy = ChangeActor.System } },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyException)
        {
            var reread = await _assignments.GetAsync(a.IntegrationId, a.Id, cancellationToken).ConfigureAwait(false);
            return reread is null || reread.Value.Status == AssignmentStatus.Closed ? null : reread;
        }

        if (batch.GaveUp || !await IsLastOfTicketAsync(a, cancellationToken).ConfigureAwait(false))
        {
            return marked;
        }

        try
        {
            batch.Client ??= _clients.Create(batch.Integration.ToConnection());
            await WriteAsync(batch, batch.Client, a, sysId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is UpstreamUnreachableException or ValidationException or Secrets.InstanceBindingException
            || (e is ServiceNowRejectedException r && (r.Table is null || r.StatusCode == 401)))
        {
            batch.GaveUp = true;
            LogGaveUp(_logger, a.IntegrationId, a.Ticket.Number, e.Message);
        }
        catch (ServiceNowRejectedException e)
        {
            LogRefused(_logger, a.IntegrationId, a.Ticket.Number, e.Message);
        }

        return marked;
    }

    private async Task<bool> IsLastOfTicketAsync(Assignment a, CancellationToken cancellationToken) =>
        a.GroupId is not { } group
        || !(await _assignments.ListLiveGroupAsync(a.IntegrationId, group, cancellationToken).ConfigureAwait(false)).Any(m => m.Value.Id != a.Id && m.Value.Closing is null);

    private async Task WriteAsync(Batch batch, IServiceNowClient client, Assignment a, string sysId, CancellationToken cancellationToken)
    {
        if (!client.Connection.Catalog.TryGet(a.Ticket.Table, out var table)
            || table.States.FirstOrDefault(s => string.Equals(s.Name, a.Ticket.State, StringComparison.Ordinal)) is { IsTerminal: true })
        {
            return;
        }

        var when = _timeProvider.GetUtcNow().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var recommendation = a.Recommendation?.DisplayName ?? a.AssessmentName;
        var words = $"The DefenderSnow integration '{batch.Integration.Name}' was deleted on {when}. DefenderSnow no longer tracks this ticket, and it removed Microsoft Defender for Cloud's governance assignment for recommendation '{recommendation}' on {a.ResourceId}; Defender may still report the finding.";
        if (batch.Integration.OnDelete == IntegrationDeletedAction.Cancel && table.CancelFields.Count > 0)
        {
            try
            {
                await client.CancelTicketAsync(table.Name, sysId, $"{words} The ticket was canceled.", cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ServiceNowRejectedException e) when (e.Table is not null && e.StatusCode != 401)
            {
                // The state model (or a data policy) refuses the cancel from this state: the words still go in a note.
                LogRefused(_logger, a.IntegrationId, a.Ticket.Number, e.Message);
                words = $"{words} DefenderSnow could not cancel it: {e.Message}";
            }
        }

        await client.AddWorkNoteAsync(table.Name, sysId, words, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting integration {IntegrationId}: ServiceNow could not be told about ticket {TicketNumber} and the rest of the batch goes untold: {Reason}")]
    private static partial void LogGaveUp(ILogger logger, string integrationId, string? ticketNumber, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting integration {IntegrationId}: ServiceNow refused the write to ticket {TicketNumber}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string integrationId, string? ticketNumber, string reason);
}
