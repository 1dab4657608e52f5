using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
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

    /// <summary>Applies a ticket read from ServiceNow to the assignment named by its correlation id.</summary>
    /// <returns>False when the change could not be applied and must be read again by the next run.</returns>
    internal async Task<bool> ApplyAsync(string integrationId, ServiceNowTicket ticket, SyncTally tally, CancellationToken cancellationToken)
    {
        tally.TicketsExamined++;
        if (ticket.CorrelationId is not { Length: > 0 } assignmentId || assignmentId.StartsWith(FindingKey.RowKeyPrefix, StringComparison.Ordinal))
        {
            return true;
        }

        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var current = await _assignments.GetAsync(integrationId, assignmentId, cancellationToken).ConfigureAwait(false);
            if (current is null || current.Value.Status == AssignmentStatus.Closed
                || (current.Value.Ticket.SysId is { } sysId && sysId != ticket.SysId))
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
    internal async Task<bool> CloseDeletedAsync(Versioned<Assignment> assignment, SyncTally tally, CancellationToken cancellationToken)
    {
        var current = assignment;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            try
            {
                await CloseAsync(current, ClosedReason.TicketDeleted, tally, cancellationToken).ConfigureAwait(false);
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
                tally.Error(assignment.Value.Ticket.Number, $"Could not close the assignment of a deleted ticket: {e.Message}");
                return false;
            }
        }

        return false;
    }

    /// <returns>True or false as <see cref="ApplyAsync"/>; null when the assignment changed meanwhile and must be read again.</returns>
    private async Task<bool?> TryApplyAsync(Versioned<Assignment> current, ServiceNowTicket ticket, SyncTally tally, CancellationToken cancellationToken)
    {
        try
        {
            if (ticket.State.IsTerminal)
            {
                await CloseAsync(current, ReasonFor(ticket.State), tally, cancellationToken).ConfigureAwait(false);
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
        await _assignments.CloseAsync(current, reason, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
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

    private static ClosedReason ReasonFor(ServiceNowTicketState state) => state.Name switch
    {
        "Resolved" => ClosedReason.TicketResolved,
        "Canceled" => ClosedReason.TicketCanceled,
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync could not apply ticket {TicketNumber} to assignment {AssignmentId} of integration {IntegrationId}: {Reason}")]
    private static partial void LogNotApplied(ILogger logger, string ticketNumber, string assignmentId, string integrationId, string reason);
}
