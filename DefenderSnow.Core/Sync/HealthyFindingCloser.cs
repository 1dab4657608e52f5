using System.Globalization;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Findings;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// Closes the live assignments of an integration whose findings Defender reports fixed (Healthy or NotApplicable:
/// <see cref="ClosedReason.ResourceHealthy"/>) or gone (no assessment any more: <see cref="ClosedReason.ResourceRemoved"/>),
/// and tells their tickets as the integration's <see cref="Integration.OnResourceHealthy"/> says. Findings are read in
/// bulk, one subscription at a time, only for subscriptions that hold live assignments; a subscription whose read
/// failed closes nothing, so a refusal, throttling or an outage never looks like "all fixed".
/// </summary>
/// <remarks>
/// Crash-safe: the assignment is marked <see cref="Assignment.Closing"/> before the ticket is written, and only the run
/// that set the mark writes to the ticket; a run that finds the mark set finishes the closing without writing again, so
/// a ticket gets at most one note however often a run dies and is repeated (a write whose outcome is unknown is not
/// repeated; one ServiceNow refused for the credentials is, since nothing reached the ticket). The closing itself is
/// <see cref="TicketChangeApplier.CloseLiveAsync"/>, the same path as every other closure.
/// </remarks>
public sealed partial class HealthyFindingCloser
{
    private const int MaxAttempts = 3;

    private readonly IAssignmentStore _assignments;
    private readonly TicketChangeApplier _applier;
    private readonly MassClosureGuard _guard;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<HealthyFindingCloser> _logger;

    public HealthyFindingCloser(IAssignmentStore assignments, TicketChangeApplier applier, MassClosureGuard guard, TimeProvider timeProvider, ILogger<HealthyFindingCloser> logger)
    {
        _assignments = assignments;
        _applier = applier;
        _guard = guard;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <param name="integration">The integration synced.</param>
    /// <param name="client">Its ServiceNow client, to tell the tickets.</param>
    /// <param name="findings">Where the run reads Defender's findings (a <see cref="FindingsSnapshot"/> when rule evaluation reads them too).</param>
    /// <param name="tally">What the sync did so far.</param>
    /// <param name="cancellationToken">The host's shutdown.</param>
    /// <returns>True when every subscription's findings were read (a later run need not look again soon).</returns>
    internal async Task<bool> CloseFixedAsync(Integration integration, IServiceNowClient client, IFindingReader findings, SyncTally tally, CancellationToken cancellationToken)
    {
        // Pending assignments are still being opened (TicketOpener finishes or reclaims them); only active ones are closed here.
        // Taken from the listing as it comes, each subscription's findings read when its first assignment shows up and kept
        // (null when the read failed, so nothing there is closed): memory grows with the findings, not with the assignments.
        var bySubscription = new Dictionary<string, Dictionary<string, Finding>?>(StringComparer.OrdinalIgnoreCase);

        // A finding that is gone proves less than one Defender reports healthy: those closures wait for the end of the
        // listing, when the share they make of the live assignments is known (MassClosureGuard), and a subscription that
        // came back with no findings at all closes none of its assignments (an empty answer that succeeded).
        var removed = new List<(string Subscription, Versioned<Assignment> Assignment)>();
        var live = 0;
        await foreach (var assignment in _assignments.ListLiveAsync(integration.Id, TablePageSize.Max, cancellationToken).ConfigureAwait(false))
        {
            if (assignment.Value.Status != AssignmentStatus.Active || !ResourceIdRules.TryGetSubscriptionId(assignment.Value.ResourceId, out var subscription))
            {
                continue;
            }

            live++;

            if (!bySubscription.TryGetValue(subscription, out var read))
            {
                bySubscription[subscription] = read = await ReadAsync(findings, integration.Id, subscription, tally, cancellationToken).ConfigureAwait(false);
            }

            if (read is null)
            {
                continue;
            }

            var found = read.GetValueOrDefault(KeyOf(assignment.Value.ResourceId, assignment.Value.AssessmentName));
            var reason = assignment.Value.Closing ?? found switch
            {
                null => ClosedReason.ResourceRemoved,
                { Status: FindingStatus.Healthy or FindingStatus.NotApplicable } => ClosedReason.ResourceHealthy,
                _ => (ClosedReason?)null,
            };
            if (reason == ClosedReason.ResourceRemoved && assignment.Value.Closing is null)
            {
                removed.Add((subscription, assignment));
            }
            else if (reason is { } closing)
            {
                await CloseAsync(integration, client, assignment, closing, found, tally, cancellationToken).ConfigureAwait(false);
            }
        }

        var allRead = bySubscription.Values.All(read => read is not null);
        var held = await CloseRemovedAsync(integration, client, removed, bySubscription, live, tally, cancellationToken).ConfigureAwait(false);
        if (allRead)
        {
            tally.GuardRan(AttentionCause.FindingsMissing);
        }

        // Withheld closures are looked at again by the next run, not after FindingsCheckEvery.
        return allRead && !held;
    }

    /// <returns>True when a guard withheld closures.</returns>
    private async Task<bool> CloseRemovedAsync(
        Integration integration,
        IServiceNowClient client,
        List<(string Subscription, Versioned<Assignment> Assignment)> removed,
        Dictionary<string, Dictionary<string, Finding>?> bySubscription,
        int live,
        SyncTally tally,
        CancellationToken cancellationToken)
    {
        var reasons = new List<string>();
        var emptied = removed.Where(r => bySubscription[r.Subscription] is { Count: 0 }).ToList();
        foreach (var subscription in emptied.GroupBy(r => r.Subscription, StringComparer.OrdinalIgnoreCase))
        {
            reasons.Add($"Defender returned no findings at all for subscription '{subscription.Key}', which holds {subscription.Count()} live assignments; none was closed as resourceRemoved.");
        }

        var rest = removed.Except(emptied).ToList();
        if (!_guard.Allows(rest.Count, live))
        {
            reasons.Add(_guard.OverLimit("Defender no longer reports their findings", rest.Count, live));
            rest.Clear();
        }

        foreach (var (_, assignment) in rest)
        {
            await CloseAsync(integration, client, assignment, ClosedReason.ResourceRemoved, null, tally, cancellationToken).ConfigureAwait(false);
        }

        if (reasons.Count == 0)
        {
            return false;
        }

        _guard.Withhold(tally, AttentionCause.FindingsMissing, removed.Count - rest.Count, string.Join(" ", reasons));
        return true;
    }

    /// <returns>The subscription's findings by resource and recommendation, or <c>null</c> when they could not all be read.</returns>
    private async Task<Dictionary<string, Finding>?> ReadAsync(IFindingReader reader, string integrationId, string subscriptionId, SyncTally tally, CancellationToken cancellationToken)
    {
        var findings = new Dictionary<string, Finding>(StringComparer.OrdinalIgnoreCase);
        try
        {
            await foreach (var finding in reader.ReadSubscriptionAsync(subscriptionId, cancellationToken).ConfigureAwait(false))
            {
                findings[KeyOf(finding.ResourceId, finding.AssessmentName)] = finding;
            }
        }
        catch (DomainException e)
        {
            LogReadFailed(_logger, integrationId, subscriptionId, e.Message);
            tally.Error(null, $"Defender's findings in subscription '{subscriptionId}' could not be read, so none of its assignments was closed for a fixed or removed resource: {e.Message}");
            return null;
        }

        tally.FindingsRead += findings.Count;
        return findings;
    }

    private async Task CloseAsync(
        Integration integration, IServiceNowClient client, Versioned<Assignment> assignment, ClosedReason reason, Finding? finding, SyncTally tally, CancellationToken cancellationToken)
    {
        var current = assignment;
        if (current.Value.Closing is null)
        {
            var marked = await MarkAsync(current, reason, cancellationToken).ConfigureAwait(false);
            if (marked is null)
            {
                return;
            }

            current = marked.Value.Assignment;
            if (marked.Value.MarkedHere)
            {
                current = await TellTicketAsync(integration.OnResourceHealthy, client, current, reason, finding, tally, cancellationToken).ConfigureAwait(false);
            }
        }

        await _applier.CloseLiveAsync(current, current.Value.Closing ?? reason, tally, cancellationToken).ConfigureAwait(false);
    }

    /// <returns>The marked assignment, and whether this call set the mark; <c>null</c> when it was closed meanwhile.</returns>
    private async Task<(Versioned<Assignment> Assignment, bool MarkedHere)?> MarkAsync(Versioned<Assignment> assignment, ClosedReason reason, CancellationToken cancellationToken)
    {
        var current = assignment;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (current.Value.Closing is not null)
            {
                return (current, false);
            }

            try
            {
                var marked = current with { Value = current.Value with { Closing = reason, UpdatedAt = _timeProvider.GetUtcNow(), UpdatedBy = ChangeActor.System } };
                return (await _assignments.UpdateAsync(marked, cancellationToken).ConfigureAwait(false), true);
            }
            catch (ConcurrencyException)
            {
                var reread = await _assignments.GetAsync(current.Value.IntegrationId, current.Value.Id, cancellationToken).ConfigureAwait(false);
                if (reread is null || reread.Value.Status != AssignmentStatus.Active)
                {
                    return null;
                }

                current = reread;
            }
        }

        return null;
    }

    /// <summary>Resolves the ticket or notes the fix on it, as the integration asks; a ticket already ended is left alone.</summary>
    /// <returns>The assignment, its ticket state updated when the ticket was resolved.</returns>
    private async Task<Versioned<Assignment>> TellTicketAsync(
        ResourceHealthyAction action, IServiceNowClient client, Versioned<Assignment> current, ClosedReason reason, Finding? finding, SyncTally tally, CancellationToken cancellationToken)
    {
        var a = current.Value;
        if (action == ResourceHealthyAction.None || a.Ticket.SysId is not { } sysId || !client.Connection.Catalog.TryGet(a.Ticket.Table, out var table))
        {
            return current;
        }

        var state = table.States.FirstOrDefault(s => string.Equals(s.Name, a.Ticket.State, StringComparison.Ordinal));
        if (state is { IsTerminal: true })
        {
            return current;
        }

        var confirmation = Confirmation(a, reason, finding);

        // A ticket shared by a group (a rule grouping per recommendation) is resolved with its last live member only:
        // until then the fix of one of its resources is a note, and the ticket stays open for the others.
        var shared = a.GroupId is { } group
            && (await _assignments.ListLiveGroupAsync(a.IntegrationId, group, cancellationToken).ConfigureAwait(false)).Any(m => m.Value.Id != a.Id && m.Value.Closing is null);
        var resolve = action == ResourceHealthyAction.Resolve && !shared && state is not null && table.Resolution.FromStates.Contains(state.Value);
        try
        {
            if (resolve)
            {
                var ends = reason == ClosedReason.ResourceRemoved ? table.Resolution.RemovedFields : table.Resolution.Fields;
                var fields = new Dictionary<string, string>(ends, StringComparer.Ordinal) { [table.Resolution.NotesField] = confirmation };
                var resolved = await client.UpdateTicketAsync(table.Name, sysId, fields, cancellationToken).ConfigureAwait(false);
                return current with { Value = a with { Ticket = a.Ticket with { State = resolved.State.Name } } };
            }

            var note = action != ResourceHealthyAction.Resolve
                ? confirmation
                : shared
                    ? $"{confirmation} The ticket stays open for the other resources it lists."
                    : $"{confirmation} DefenderSnow did not resolve this ticket: the {table.Name} state model does not allow resolving it from state '{a.Ticket.State}'.";
            await client.AddWorkNoteAsync(table.Name, sysId, note, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceNowRejectedException e) when (IsCredentialRefusal(e))
        {
            // ServiceNow refused the integration's credentials: nothing reached the ticket, so the mark is taken back and
            // the run that succeeds next writes it. The refusal itself marks the integration, as anywhere in sync.
            await ForgetMarkAsync(current).ConfigureAwait(false);
            throw;
        }
        catch (ServiceNowRejectedException e)
        {
            // Refused (a data policy, a business rule, an ACL): nothing was written, and trying again would be refused again.
            // The finding is fixed all the same, so the assignment is still closed; the ticket is for its people now.
            LogTicketRefused(_logger, a.IntegrationId, a.Ticket.Number, e.Message);
            tally.Error(a.Ticket.Number, $"Defender confirmed the fix, but ServiceNow refused to {(resolve ? "resolve" : "note")} the ticket: {e.Message}");
        }

        return current;
    }

    /// <summary>A refusal of who is asking (a token grant refused, or a 401), not of what was asked of the ticket.</summary>
    private static bool IsCredentialRefusal(ServiceNowRejectedException e) => e.Table is null || e.StatusCode == 401;

    private async Task ForgetMarkAsync(Versioned<Assignment> marked)
    {
        try
        {
            await _assignments.UpdateAsync(marked with { Value = marked.Value with { Closing = null } }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ConcurrencyException)
        {
            // Someone else changed it meanwhile; at worst the note is not written (never twice).
        }
    }

    private string Confirmation(Assignment a, ClosedReason reason, Finding? finding)
    {
        var when = _timeProvider.GetUtcNow().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var recommendation = a.Recommendation?.DisplayName ?? finding?.DisplayName ?? a.AssessmentName;
        return reason == ClosedReason.ResourceRemoved
            ? $"Microsoft Defender for Cloud no longer reports recommendation '{recommendation}' for {a.ResourceId} (checked {when}): the resource was removed. DefenderSnow closed the governance assignment."
            : $"Microsoft Defender for Cloud confirmed the fix on {when}: recommendation '{recommendation}' is {(finding?.Status == FindingStatus.NotApplicable ? "no longer applicable" : "healthy")} on {a.ResourceId}. DefenderSnow closed the governance assignment.";
    }

    private static string KeyOf(string resourceId, string assessmentName) => $"{resourceId.TrimEnd('/')}|{assessmentName}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync of integration {IntegrationId} could not read the findings of subscription {SubscriptionId}; nothing there was closed: {Reason}")]
    private static partial void LogReadFailed(ILogger logger, string integrationId, string subscriptionId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync of integration {IntegrationId} could not tell ticket {TicketNumber} that Defender confirmed the fix: {Reason}")]
    private static partial void LogTicketRefused(ILogger logger, string integrationId, string? ticketNumber, string reason);
}
