using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// Brings one assignment in line with its ticket: a terminal state closes it (Defender's governance assignment
/// deleted first), a new assignee becomes the owner, any other state is mirrored. It compares before it writes,
/// so applying the same ticket twice writes nothing the second time: a redelivered message does no harm.
/// </summary>
public sealed partial class TicketChangeApplier
{
    private const int MaxAttempts = 3;
    private readonly IAssignmentStore _assignments;
    private readonly IDefenderClient _defender;
    private readonly DefenderSnowTelemetry _telemetry;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<TicketChangeApplier> _logger;

    public TicketChangeApplier(IAssignmentStore assignments, IDefenderClient defender, DefenderSnowTelemetry telemetry, TimeProvider timeProvider, ILogger<TicketChangeApplier> logger)
    {
        _telemetry = telemetry;
        _assignments = assignments;
        _defender = defender;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// Applies a ticket read from ServiceNow to the assignment named by its correlation id, or, for a ticket shared by a
    /// group (a rule grouping per recommendation), to every live member of the group.
    /// </summary>
    /// <returns>False when the change could not be applied and must be read again by the next run.</returns>
    internal Task<bool> ApplyAsync(string integrationId, ServiceNowTicket ticket, SyncTally tally, CancellationToken cancellationToken) =>
        ApplyAsync(integrationId, ticket, known: null, tally, cancellationToken);

    /// <param name="integrationId">The integration that owns the ticket's assignment.</param>
    /// <param name="ticket">The ticket as read from ServiceNow.</param>
    /// <param name="known">
    /// The assignment as the caller just read it (a full pass lists them all): used instead of a read of its own, so an
    /// unchanged ticket costs no Table Storage request; read again only when it changed meanwhile.
    /// </param>
    /// <param name="tally">What the sync did so far.</param>
    /// <param name="cancellationToken">The host's shutdown.</param>
    internal async Task<bool> ApplyAsync(string integrationId, ServiceNowTicket ticket, Versioned<Assignment>? known, SyncTally tally, CancellationToken cancellationToken)
    {
        tally.TicketsExamined++;
        if (!AssignmentId.IsWellFormed(ticket.CorrelationId))
        {
            // Any ServiceNow user who may edit a ticket can set its correlation fields: a value we never write must not
            // reach a table key (a '/' or "group-{id}" there threw, and the run went to the poison queue). Reported and
            // passed, so one such ticket never holds the cursor; its value is not echoed.
            LogNotOurCorrelationId(_logger, ticket.Number, ticket.Table, ticket.SysId, integrationId);
            tally.Error(ticket.Number, $"Ticket {ticket.Number} has a correlation id DefenderSnow never writes (ours are 32 lower-case hexadecimal digits); it was skipped.");
            return true;
        }

        var correlationId = ticket.CorrelationId;

        // The assignment the caller listed (a full pass): a member of a group sharing the ticket is applied to directly too.
        if (known is { } listed && (listed.Value.Id == correlationId || listed.Value.GroupId == correlationId))
        {
            return await ApplyToAsync(integrationId, listed.Value.Id, ticket, listed, tally, cancellationToken).ConfigureAwait(false);
        }

        if (await _assignments.GetAsync(integrationId, correlationId, cancellationToken).ConfigureAwait(false) is { } named)
        {
            return await ApplyToAsync(integrationId, correlationId, ticket, named, tally, cancellationToken).ConfigureAwait(false);
        }

        var applied = true;
        foreach (var member in await _assignments.ListLiveGroupAsync(integrationId, correlationId, cancellationToken).ConfigureAwait(false))
        {
            applied &= await ApplyToAsync(integrationId, member.Value.Id, ticket, member, tally, cancellationToken).ConfigureAwait(false);
        }

        return applied;
    }

    /// <param name="known">The assignment as just read: used for the first attempt, read again only when it changed meanwhile.</param>
    private async Task<bool> ApplyToAsync(
        string integrationId, string assignmentId, ServiceNowTicket ticket, Versioned<Assignment> known, SyncTally tally, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var current = attempt == 1 ? known : await _assignments.GetAsync(integrationId, assignmentId, cancellationToken).ConfigureAwait(false);
            // Only the ticket the assignment stored is applied to it. One that knows no ticket yet (pending, its create
            // under way) takes nothing from sync: a ticket carrying its id may be planted, and the creation adopts only
            // tickets the integration user opened.
            if (current is null || current.Value.Status == AssignmentStatus.Closed
                || !string.Equals(current.Value.Ticket.SysId, ticket.SysId, StringComparison.Ordinal))
            {
                return true;
            }

            if (await TryApplyAsync(current, ticket, tally, cancellationToken).ConfigureAwait(false) is { } applied)
            {
                return applied;
            }
        }

        tally.Error(ticket.Number, $"Assignment '{assignmentId}' kept changing while it was synced; the next run tries again.");
        return false;
    }

    /// <summary>Closes a live assignment whose ticket no longer exists in ServiceNow.</summary>
    internal Task<bool> CloseDeletedAsync(Versioned<Assignment> assignment, SyncTally tally, CancellationToken cancellationToken) =>
        CloseLiveAsync(assignment, ClosedReason.TicketDeleted, tally, cancellationToken);

    /// <summary>
    /// Closes a live assignment for a reason found outside its ticket (the ticket deleted; the finding fixed or gone):
    /// Defender's governance assignment deleted first, then the assignment closed, read again if it changed meanwhile.
    /// </summary>
    /// <returns>False when it could not be closed (the error is in <paramref name="tally"/>); the next run tries again.</returns>
    internal async Task<bool> CloseLiveAsync(Versioned<Assignment> assignment, ClosedReason reason, SyncTally tally, CancellationToken cancellationToken)
    {
        var current = assignment;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            try
            {
                await CloseAsync(current, reason, tally, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (ConcurrencyException)
            {
                current = await _assignments.GetAsync(assignment.Value.IntegrationId, assignment.Value.Id, cancellationToken).ConfigureAwait(false);
                if (current is null || current.Value.Status == AssignmentStatus.Closed)
                {
                    return true;
                }
            }
            catch (DomainException e)
            {
                tally.Error(assignment.Value.Ticket.Number, $"Could not close the assignment ({reason.ToContract()}): {e.Message}");
                return false;
            }
        }

        return false;
    }

    /// <returns>True or false as <see cref="ApplyAsync(string, ServiceNowTicket, SyncTally, CancellationToken)"/>; null when the assignment changed meanwhile and must be read again.</returns>
    private async Task<bool?> TryApplyAsync(Versioned<Assignment> current, ServiceNowTicket ticket, SyncTally tally, CancellationToken cancellationToken)
    {
        try
        {
            if (ticket.State.IsTerminal)
            {
                // A closing that sync began for a fixed finding keeps its reason: the ticket was resolved because of it.
                await CloseAsync(current, current.Value.Closing ?? ReasonFor(ticket.State), tally, cancellationToken).ConfigureAwait(false);
                return true;
            }

            await MirrorAsync(current, ticket, tally, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConcurrencyException)
        {
            return null;
        }
        catch (DomainException e)
        {
            LogNotApplied(_logger, ticket.Number, current.Value.Id, current.Value.IntegrationId, e.Message);
            tally.Error(ticket.Number, e.Message);
            return false;
        }
    }

    private async Task CloseAsync(Versioned<Assignment> current, ClosedReason reason, SyncTally tally, CancellationToken cancellationToken)
    {
        var a = current.Value;
        await _defender.DeleteGovernanceAssignmentAsync(a.ResourceId, a.AssessmentName, a.Id, cancellationToken).ConfigureAwait(false);
        await _assignments.CloseAsync(current with { Value = a with { UpdatedBy = ChangeActor.System } }, reason, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        tally.Closed(reason);
        _telemetry.AssignmentClosed(reason);
    }

    private async Task MirrorAsync(Versioned<Assignment> current, ServiceNowTicket ticket, SyncTally tally, CancellationToken cancellationToken)
    {
        var a = current.Value;
        var stateChanged = !string.Equals(a.Ticket.State, ticket.State.Name, StringComparison.Ordinal);
        var newOwner = NewOwner(a, ticket, tally);
        if (!stateChanged && newOwner is null)
        {
            return;
        }

        // Defender first: if it fails, the stored assignment still differs from the ticket, so the next run retries.
        var stored = await _defender.GetGovernanceAssignmentAsync(a.ResourceId, a.AssessmentName, a.Id, cancellationToken).ConfigureAwait(false);
        var properties = stored?.Properties ?? GovernanceAssignmentOf(a);
        var additional = properties.AdditionalData ?? new GovernanceAssignmentAdditionalData(TicketNumberOf(a), a.Ticket.Link, null);
        await _defender.PutGovernanceAssignmentAsync(
            a.ResourceId,
            a.AssessmentName,
            a.Id,
            properties with
            {
                Owner = newOwner?.Email ?? properties.Owner,
                AdditionalData = additional with { TicketStatus = ticket.State.Name },
            },
            cancellationToken).ConfigureAwait(false);

        var now = _timeProvider.GetUtcNow();
        await _assignments.UpdateAsync(
            current with
            {
                Value = a with
                {
                    Ticket = a.Ticket with { State = ticket.State.Name },
                    AssignedTo = newOwner?.Email ?? a.AssignedTo,
                    AssignedToSysId = newOwner?.SysId ?? a.AssignedToSysId,
                    UpdatedAt = now,
                    UpdatedBy = ChangeActor.System,
                    LastSyncedAt = now,
                },
            },
            cancellationToken).ConfigureAwait(false);

        if (stateChanged)
        {
            tally.TicketStatesUpdated++;
        }

        if (newOwner is not null)
        {
            tally.OwnersChanged++;
            _telemetry.OwnerChanged();
        }
    }

    /// <summary>The ticket's assignee when it is someone else than the owner; one without an e-mail is reported, not guessed.</summary>
    private static (string SysId, string Email)? NewOwner(Assignment a, ServiceNowTicket ticket, SyncTally tally)
    {
        if (ticket.AssignedToSysId is not { } sysId)
        {
            return null;
        }

        var same = a.AssignedToSysId is not null
            ? sysId == a.AssignedToSysId
            : string.Equals(ticket.AssignedToEmail, a.AssignedTo, StringComparison.OrdinalIgnoreCase);
        if (same)
        {
            return null;
        }

        if (ticket.AssignedToEmail is not { Length: > 0 } email)
        {
            tally.Error(ticket.Number, $"The new assignee '{ticket.AssignedToUserName ?? sysId}' has no e-mail address in ServiceNow, so Defender's owner was not changed.");
            return null;
        }

        return (sysId, email);
    }

    // The integration's mapping says how each terminal state ended the ticket; a label is never read for it, as
    // instances rename their states.
    private static ClosedReason ReasonFor(ServiceNowTicketState state) => state.End switch
    {
        ServiceNowTicketEnd.Resolved => ClosedReason.TicketResolved,
        ServiceNowTicketEnd.Canceled => ClosedReason.TicketCanceled,
        _ => ClosedReason.TicketClosed,
    };

    private static int? TicketNumberOf(Assignment a) =>
        TicketNumber.TryToGovernanceNumber(a.Ticket.Number, out var number) ? number : null;

    /// <summary>What the governance assignment holds, rebuilt from the assignment when Defender lost it.</summary>
    private static GovernanceAssignment GovernanceAssignmentOf(Assignment a) => new()
    {
        Owner = a.AssignedTo,
        RemediationDueDate = a.DueDate,
        IsGracePeriod = a.GracePeriod,
        GovernanceEmailNotification = new GovernanceEmailNotification(!a.EmailNotifications.NotifyManager, !a.EmailNotifications.NotifyOwner),
        AdditionalData = new GovernanceAssignmentAdditionalData(TicketNumberOf(a), a.Ticket.Link, a.Ticket.State),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ticket {TicketNumber} ({Table} {SysId}) read for integration {IntegrationId} has a correlation id DefenderSnow never writes; skipped")]
    private static partial void LogNotOurCorrelationId(ILogger logger, string ticketNumber, string table, string sysId, string integrationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync could not apply ticket {TicketNumber} to assignment {AssignmentId} of integration {IntegrationId}: {Reason}")]
    private static partial void LogNotApplied(ILogger logger, string ticketNumber, string assignmentId, string integrationId, string reason);
}
