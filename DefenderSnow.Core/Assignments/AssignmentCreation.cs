using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Assignments;

/// <summary>
/// Creates an assignment so that a crash between any two steps is mended by the next request for the same finding (a
/// retry, or a rule's next run): each step is keyed by the assignment id and safe to repeat, and the assignment stays
/// <see cref="AssignmentStatus.Pending"/> until the last one. The steps, in order:
/// <list type="number">
/// <item><b>Answer a repeat</b>: a live assignment nobody may take over answers from Table Storage, asking no upstream.</item>
/// <item><b>Draft</b> (reads only, <see cref="AssignmentDrafter"/>): scope, finding, users, the ticket's fields.</item>
/// <item><b>Reserve the finding</b>: store the assignment Pending with its finding key, which admits one live
/// assignment per finding, and a claim until now + <see cref="ClaimDuration"/>; or take over a pending one whose claim
/// has lapsed, under its id. <i>Crash after</i>: the claim lapses and the next request resumes at step 4.</item>
/// <item><b>Create the ticket</b> (correlation id = assignment id) and store its reference. <i>Crash after the create,
/// before the store</i>: the resuming request finds the ticket by its correlation id and adopts it (<see cref="TicketOpener"/>).</item>
/// <item><b>Governance write</b> (key = assignment id): Defender shows the owner and the ticket. <i>Crash after</i>: the
/// resume writes it again, the same key, so the same assignment.</item>
/// <item><b>Late-duplicate check</b>: a create ServiceNow committed after its caller gave up may have landed since step 4;
/// Defender now shows our ticket, so the newer one is cancelled, never adopted. <i>Crash after</i>: the resume repeats it.</item>
/// <item><b>Commit</b>: Active, claim cleared. Until then update and delete refuse the assignment as still being created.</item>
/// </list>
/// A failure that is understood (<see cref="DomainException"/>: an upstream refused or did not answer) releases the claim
/// so that the caller's retry resumes at once; anything else leaves the claim to lapse. A <see cref="ConcurrencyException"/>
/// means an integration delete closed the assignment meanwhile: the governance written at step 5 is removed again.
/// </summary>
public sealed partial class AssignmentCreation
{
    /// <summary>
    /// How long a request holds a pending assignment it is completing. Longer than ServiceNow's transaction limit
    /// (about 60 s) plus retries, so a slow request is not overtaken; short enough that a crash is mended soon.
    /// </summary>
    public static readonly TimeSpan ClaimDuration = TimeSpan.FromMinutes(5);

    private readonly IAssignmentStore _assignments;
    private readonly AssignmentDrafter _drafter;
    private readonly TicketOpener _tickets;
    private readonly IDefenderClient _defender;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AssignmentCreation> _logger;

    public AssignmentCreation(
        IAssignmentStore assignments,
        AssignmentDrafter drafter,
        TicketOpener tickets,
        IDefenderClient defender,
        TimeProvider timeProvider,
        ILogger<AssignmentCreation> logger)
    {
        _assignments = assignments;
        _drafter = drafter;
        _tickets = tickets;
        _defender = defender;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <param name="live">The finding's live assignment, read with the integration while the request was validated.</param>
    internal async Task<AssignmentOutcome> CreateAsync(AssignmentCreationInput input, Versioned<Assignment>? live, CancellationToken cancellationToken)
    {
        // 1. Answer a repeat.
        if (live is not null && !IsClaimable(live.Value, input.Now))
        {
            return new AssignmentOutcome(live.Value, Created: false);
        }

        // 2. Draft.
        var draft = await _drafter.DraftAsync(input, cancellationToken).ConfigureAwait(false);

        // 3. Reserve the finding.
        var (claimed, existing) = await ClaimFindingAsync(live, draft.Assignment, input.Now, cancellationToken).ConfigureAwait(false);
        if (claimed is null)
        {
            return new AssignmentOutcome(existing!, Created: false);
        }

        // Steps 4 to 7. A new id (stored by this request a moment ago) rather than the id of a pending assignment taken over.
        var storedJustNow = claimed.Value.Id == draft.Assignment.Id;
        var done = await CompleteAsync(claimed, storedJustNow, draft.Client, draft.Fields, cancellationToken).ConfigureAwait(false);
        LogCreated(_logger, done.Id, done.IntegrationId, done.Ticket.Number ?? string.Empty, done.AssessmentName, input.Caller ?? "an unnamed caller");
        return new AssignmentOutcome(done, Created: true);
    }

    /// <summary>
    /// Stores the new assignment with its finding key, or takes over the finding's pending assignment whose request
    /// died. <c>Claimed</c> is null when another request holds the finding: <c>Existing</c> is then its live assignment.
    /// </summary>
    private async Task<(Versioned<Assignment>? Claimed, Assignment? Existing)> ClaimFindingAsync(
        Versioned<Assignment>? live, Assignment assignment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (live is not null)
        {
            // A pending assignment whose request died: this request completes it, under the same id.
            var taken = await TryClaimAsync(live, now, cancellationToken).ConfigureAwait(false);
            return taken is null ? (null, (await ReadAgainAsync(live, cancellationToken).ConfigureAwait(false)).Value) : (taken, null);
        }

        try
        {
            return (await _assignments.AddAsync(assignment, cancellationToken).ConfigureAwait(false), null);
        }
        catch (FindingAlreadyAssignedException e)
        {
            // Another request for the finding got there first: leave it to finish, or finish it if it died.
            var existing = await _assignments.GetAsync(assignment.IntegrationId, e.ExistingAssignmentId, cancellationToken).ConfigureAwait(false)
                ?? throw new ConflictException("Another request for this finding is changing it; repeat the request.", e);
            var taken = await TryClaimAsync(existing, now, cancellationToken).ConfigureAwait(false);
            return taken is null ? (null, existing.Value) : (taken, null);
        }
    }

    /// <param name="storedJustNow">The claimed assignment is the one this request has just stored (not one an earlier request left pending).</param>
    private async Task<Assignment> CompleteAsync(
        Versioned<Assignment> claimed, bool storedJustNow, IServiceNowClient client, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken)
    {
        var current = claimed;
        try
        {
            // 4. Create the ticket, or adopt the one an earlier attempt created, and store its reference.
            var assignment = current.Value;
            var ticket = await _tickets.OpenAsync(client, assignment, fields, storedJustNow, cancellationToken).ConfigureAwait(false);
            current = await _assignments.UpdateAsync(
                current with { Value = assignment with { Ticket = ToReference(ticket), UpdatedAt = _timeProvider.GetUtcNow() } }, cancellationToken).ConfigureAwait(false);

            // 5. Governance write.
            await _defender.PutGovernanceAssignmentAsync(
                assignment.ResourceId, assignment.AssessmentName, assignment.Id, AssignmentGovernance.ToGovernance(current.Value), cancellationToken).ConfigureAwait(false);

            // 6. Late-duplicate check: a create ServiceNow committed late may have landed since; being newer, it is the one to cancel.
            await _tickets.CancelDuplicatesAsync(client, assignment.CorrelationId, ticket, mayAdoptOlder: false, cancellationToken).ConfigureAwait(false);

            // 7. Commit.
            current = await _assignments.UpdateAsync(
                current with { Value = current.Value with { Status = AssignmentStatus.Active, ClaimedUntil = null, UpdatedAt = _timeProvider.GetUtcNow() } }, cancellationToken).ConfigureAwait(false);
            return current.Value;
        }
        catch (ConcurrencyException)
        {
            // Someone else changed the assignment meanwhile: only an integration delete does that to a claimed one, and
            // it has removed what it found. A governance assignment written after that must not outlive the assignment.
            await RemoveGovernanceIfClosedAsync(current.Value).ConfigureAwait(false);
            throw;
        }
        catch (DomainException)
        {
            // A failure we understand (an upstream that refused or did not answer): let the caller's retry resume at
            // once. Anything else (a crash) leaves the claim to lapse.
            await ReleaseAsync(current).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs even when the request was cancelled: a governance assignment without its assignment would mislead Defender users.</summary>
    private async Task RemoveGovernanceIfClosedAsync(Assignment assignment)
    {
        try
        {
            var stored = await _assignments.GetAsync(assignment.IntegrationId, assignment.Id, CancellationToken.None).ConfigureAwait(false);
            if (stored is null || stored.Value.Status == AssignmentStatus.Closed)
            {
                await _defender.DeleteGovernanceAssignmentAsync(assignment.ResourceId, assignment.AssessmentName, assignment.Id, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (DomainException e)
        {
            LogGovernanceNotRemoved(_logger, assignment.Id, e.Message);
        }
    }

    /// <summary>Takes over a pending assignment whose claim has lapsed; <c>null</c> when it is active or someone else holds it.</summary>
    private async Task<Versioned<Assignment>?> TryClaimAsync(Versioned<Assignment> existing, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!IsClaimable(existing.Value, now))
        {
            return null;
        }

        try
        {
            var claimed = await _assignments.UpdateAsync(
                existing with { Value = existing.Value with { ClaimedUntil = now + ClaimDuration, UpdatedAt = now } }, cancellationToken).ConfigureAwait(false);
            LogResumed(_logger, existing.Value.Id);
            return claimed;
        }
        catch (ConcurrencyException)
        {
            return null;
        }
    }

    private static bool IsClaimable(Assignment assignment, DateTimeOffset now) =>
        assignment.Status == AssignmentStatus.Pending && (assignment.ClaimedUntil is null || assignment.ClaimedUntil <= now);

    private async Task<Versioned<Assignment>> ReadAgainAsync(Versioned<Assignment> assignment, CancellationToken cancellationToken) =>
        await _assignments.GetAsync(assignment.Value.IntegrationId, assignment.Value.Id, cancellationToken).ConfigureAwait(false) ?? assignment;

    /// <summary>Runs even when the request was cancelled: a claim left behind would make the retry wait for it.</summary>
    private async Task ReleaseAsync(Versioned<Assignment> current)
    {
        if (current.Value.Status != AssignmentStatus.Pending)
        {
            return;
        }

        try
        {
            await _assignments.UpdateAsync(current with { Value = current.Value with { ClaimedUntil = null } }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogReleaseFailed(_logger, e, current.Value.Id);
        }
    }

    private static TicketReference ToReference(ServiceNowTicket ticket) =>
        new(ticket.Table, ticket.Number, ticket.SysId, ticket.Link.AbsoluteUri, ticket.State.Name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Assignment {AssignmentId} of integration {IntegrationId} is active with ticket {TicketNumber} for recommendation {AssessmentName}, created by {Caller}")]
    private static partial void LogCreated(ILogger logger, string assignmentId, string integrationId, string ticketNumber, string assessmentName, string caller);

    [LoggerMessage(Level = LogLevel.Information, Message = "Completing pending assignment {AssignmentId} left by an earlier request")]
    private static partial void LogResumed(ILogger logger, string assignmentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Assignment {AssignmentId} was closed while it was created; its governance assignment could not be removed: {Reason}")]
    private static partial void LogGovernanceNotRemoved(ILogger logger, string assignmentId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release pending assignment {AssignmentId}; its claim lapses on its own")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string assignmentId);
}
