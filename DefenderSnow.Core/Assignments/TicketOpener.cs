using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Assignments;

/// <summary>
/// Opens the one ticket of an assignment (<c>correlation_id</c> = assignment id) and defends it against duplicates:
/// ServiceNow keeps no correlation id unique, and a create it commits after its caller gave up leaves a second ticket.
/// </summary>
public sealed partial class TicketOpener
{
    private readonly DefenderSnowTelemetry _telemetry;
    private readonly ILogger<TicketOpener> _logger;

    public TicketOpener(DefenderSnowTelemetry telemetry, ILogger<TicketOpener> logger)
    {
        _telemetry = telemetry;
        _logger = logger;
    }

    /// <summary>
    /// The ticket of the assignment: one found by its correlation id (a retry after a crash), else a new one. ServiceNow
    /// may commit a create whose caller gave up after the caller looked; if two tickets now carry the id, all callers
    /// keep the oldest and cancel the others with a work note.
    /// </summary>
    /// <param name="storedJustNow">
    /// The assignment was stored by this request a moment ago under a new id: no earlier attempt can have opened its
    /// ticket, so the look-up before the create is skipped. A ticket that a request taking over a lapsed claim opens
    /// meanwhile is still found by the look after the create.
    /// </param>
    public async Task<ServiceNowTicket> OpenAsync(
        IServiceNowClient client, Assignment assignment, IReadOnlyDictionary<string, string> fields, bool storedJustNow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(assignment);
        var table = assignment.Ticket.Table;

        // A ticket shared by a group is found by the group's id: the first member opens it, the others adopt it, so a
        // member's new id says nothing about whether the ticket exists.
        if (!storedJustNow || assignment.GroupId is not null)
        {
            var found = await client.FindByCorrelationIdAsync(table, assignment.CorrelationId, cancellationToken).ConfigureAwait(false);
            if (found is not null)
            {
                LogAdopted(_logger, assignment.Id, found.Number);
                return found;
            }
        }

        var created = await client.CreateTicketAsync(new ServiceNowTicketRequest(table, assignment.CorrelationId, fields, assignment.FollowsTicket), cancellationToken).ConfigureAwait(false);
        _telemetry.TicketCreated(table, byRule: assignment.RuleId is not null);
        return await CancelDuplicatesAsync(client, assignment.CorrelationId, created, mayAdoptOlder: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Keeps the oldest ticket carrying the assignment's id and cancels the others, with a work note. All callers agree
    /// on the oldest, so racing requests never cancel each other's keeper. Once Defender shows <paramref name="ours"/>
    /// (<paramref name="mayAdoptOlder"/> false), only newer tickets are canceled; an older one is left for sync to see.
    /// </summary>
    public async Task<ServiceNowTicket> CancelDuplicatesAsync(
        IServiceNowClient client, string assignmentId, ServiceNowTicket ours, bool mayAdoptOlder, CancellationToken cancellationToken)
    {
        var all = await client.FindAllByCorrelationIdAsync(ours.Table, assignmentId, cancellationToken).ConfigureAwait(false);
        if (all.Count <= 1)
        {
            return ours;
        }

        var kept = all[0];
        if (!mayAdoptOlder && kept.SysId != ours.SysId)
        {
            LogOlderTicketKept(_logger, assignmentId, ours.Number, kept.Number);
            return ours;
        }

        foreach (var duplicate in all.Skip(1).Where(t => !t.State.IsTerminal))
        {
            await client.CancelTicketAsync(ours.Table, duplicate.SysId, DuplicateNote(kept.Number), cancellationToken).ConfigureAwait(false);
            LogDuplicateCanceled(_logger, assignmentId, duplicate.Number, kept.Number);
        }

        return kept;
    }

    private static string DuplicateNote(string? keptNumber) => $"Canceled by DefenderSnow: this ticket duplicates {keptNumber}, which tracks the same finding.";

    [LoggerMessage(Level = LogLevel.Information, Message = "Assignment {AssignmentId} adopted its existing ticket {TicketNumber}")]
    private static partial void LogAdopted(ILogger logger, string assignmentId, string ticketNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Assignment {AssignmentId} had a duplicate ticket {Duplicate}; canceled it and kept {Kept}")]
    private static partial void LogDuplicateCanceled(ILogger logger, string assignmentId, string duplicate, string kept);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Assignment {AssignmentId} keeps ticket {Ours}, but ServiceNow holds an older ticket {Older} with its correlation id")]
    private static partial void LogOlderTicketKept(ILogger logger, string assignmentId, string ours, string older);
}
