using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Assignments;

/// <summary>
/// Creates, reads, changes and deletes assignments, keeping Table Storage, the ServiceNow ticket and the Defender
/// governance assignment in step. Creation is crash-safe and idempotent: pending entity with its finding key →
/// ticket (correlation id = assignment id) → governance assignment (key = assignment id) → active; a later request
/// for the same finding resumes where an earlier one stopped.
/// </summary>
public sealed partial class AssignmentService
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>
    /// How long a request holds a pending assignment it is completing. Longer than ServiceNow's transaction limit
    /// (about 60 s) plus retries, so a slow request is not overtaken; short enough that a crash is mended soon.
    /// </summary>
    public static readonly TimeSpan ClaimDuration = TimeSpan.FromMinutes(5);

    private readonly IAssignmentStore _assignments;
    private readonly IIntegrationStore _integrations;
    private readonly IServiceNowClientFactory _serviceNow;
    private readonly IDefenderClient _defender;
    private readonly IScopeMembershipFactory _scopes;
    private readonly TicketOpener _tickets;
    private readonly DefenderSnowTelemetry _telemetry;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AssignmentService> _logger;

    public AssignmentService(
        IAssignmentStore assignments,
        IIntegrationStore integrations,
        IServiceNowClientFactory serviceNow,
        IDefenderClient defender,
        IScopeMembershipFactory scopes,
        TicketOpener tickets,
        DefenderSnowTelemetry telemetry,
        TimeProvider timeProvider,
        ILogger<AssignmentService> logger)
    {
        _telemetry = telemetry;
        _assignments = assignments;
        _integrations = integrations;
        _serviceNow = serviceNow;
        _defender = defender;
        _scopes = scopes;
        _tickets = tickets;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <param name="caller">Who asks, when App Service authentication says; recorded, never trusted for access.</param>
    public Task<AssignmentOutcome> CreateAsync(CreateAssignmentRequest request, string? caller, CancellationToken cancellationToken) =>
        CreateAsync(request, caller, origin: null, cancellationToken);

    /// <summary>
    /// The one create path, for callers and for automation rules alike; <paramref name="origin"/> names the rule that asks
    /// and the ticket of the finding's previous (closed) assignment, which the new ticket then refers to.
    /// </summary>
    internal async Task<AssignmentOutcome> CreateAsync(CreateAssignmentRequest request, string? caller, AssignmentOrigin? origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _timeProvider.GetUtcNow();
        var check = new IntegrationValidation();
        var integrationId = check.Text("integrationId", request.IntegrationId);
        var assessmentName = AssignmentInput.AssessmentName(check, request.AssessmentName);
        var resourceId = AssignmentInput.ResourceId(check, request.ResourceId);
        var table = AssignmentInput.TicketType(check, request.TicketType);
        var assignedTo = AssignmentInput.User(check, "assignedTo", request.AssignedTo, required: true);
        var callerUser = AssignmentInput.User(check, "caller", request.Caller, required: true);
        var shortDescription = check.Text("shortDescription", request.ShortDescription, TicketComposer.ShortDescriptionLength, required: false);
        var description = AssignmentInput.Description(check, request.Description);
        var assignmentGroup = check.Text("assignmentGroup", request.AssignmentGroup, required: false);
        AssignmentInput.Level(check, "impact", request.Impact);
        AssignmentInput.Level(check, "urgency", request.Urgency);
        var dueDate = AssignmentInput.DueDate(check, request.RemediationTimeframeDays, request.DueDate, now, required: true);
        check.ThrowIfInvalid();

        // Two point reads that do not depend on each other, read together; awaited in this order, so an unknown
        // integration is a 404 whatever the other read says.
        var integrationRead = LoadIntegrationAsync(integrationId!, cancellationToken);
        var liveRead = _assignments.FindLiveAsync(integrationId!, assessmentName!, resourceId!, cancellationToken);
        await Task.WhenAll(integrationRead, liveRead).ConfigureAwait(false);
        var integration = await integrationRead.ConfigureAwait(false);
        AssignmentInput.FieldsAllowed(check, integration, table!, request);
        check.ThrowIfInvalid();

        // A repeated request is answered from Table Storage alone, before anything upstream is asked.
        var live = await liveRead.ConfigureAwait(false);
        if (live is not null && !IsClaimable(live.Value, now))
        {
            return new AssignmentOutcome(live.Value, Created: false);
        }

        await RefuseOutOfScopeAsync(integration, resourceId!, cancellationToken).ConfigureAwait(false);

        // The finding and the users are independent reads of two upstream services: asked at once, they cost one round
        // trip instead of four. Awaited in the order that decides which problem a request with several gets.
        var client = _serviceNow.Create(integration.ToConnection());
        var findingRead = ReadUnhealthyFindingAsync(assessmentName!, resourceId!, cancellationToken);
        var ownerRead = client.ResolveUserAsync(assignedTo!, "assignedTo", cancellationToken);
        var openerRead = client.ResolveUserAsync(callerUser!, "caller", cancellationToken);
        var groupRead = assignmentGroup is null ? Task.FromResult<ServiceNowGroup?>(null) : ResolveGroupAsync(client, assignmentGroup, cancellationToken);
        await Task.WhenAll(findingRead, ownerRead, openerRead, groupRead).ConfigureAwait(false);
        var (metadata, assessment) = await findingRead.ConfigureAwait(false);
        var owner = await ownerRead.ConfigureAwait(false);
        if (owner.Email is null)
        {
            throw new ValidationException("assignedTo", $"ServiceNow user '{owner.UserName}' has no e-mail address, which Defender needs to name the owner.");
        }

        var opener = await openerRead.ConfigureAwait(false);
        var group = await groupRead.ConfigureAwait(false);

        var fields = TicketComposer.Fields(integration, table!, request, metadata, assessment, resourceId!, shortDescription, description, owner, opener, group);
        if (origin?.Group is { } shared)
        {
            // The group's texts name every resource (and their previous tickets); they replace the per-resource ones.
            fields["short_description"] = shared.ShortDescription;
            if (fields.ContainsKey("description"))
            {
                fields["description"] = shared.Description;
            }
        }
        else if (origin?.FollowsTicket is { } previous && fields.TryGetValue("description", out var composed))
        {
            fields["description"] = TicketComposer.CutOnWord(TicketComposer.FollowsLine(previous) + "\n\n" + composed, TicketComposer.DescriptionLength);
        }

        var assignment = new Assignment
        {
            Id = AssignmentId.New(),
            IntegrationId = integration.Id,
            AssessmentName = assessmentName!,
            ResourceId = resourceId!,
            Recommendation = new Recommendation(metadata.DisplayName ?? assessment.DisplayName, metadata.Severity?.ToContract()),
            Ticket = new TicketReference(table!.Name),
            AssignedTo = owner.Email,
            AssignedToSysId = owner.SysId,
            Caller = opener.Email ?? opener.UserName,
            ShortDescription = fields["short_description"],
            DueDate = dueDate!.Value,
            GracePeriod = request.GracePeriod ?? false,
            EmailNotifications = AssignmentInput.Notifications(request.EmailNotifications, new EmailNotifications(NotifyOwner: true, NotifyManager: false)),
            Status = AssignmentStatus.Pending,
            ClaimedUntil = now + ClaimDuration,
            CreatedAt = now,
            CreatedBy = caller,
            UpdatedAt = now,
            RuleId = origin?.RuleId,
            FollowsTicket = origin?.FollowsTicket,
            GroupId = origin?.Group?.Id,
        };

        var (claimed, existing) = await ClaimFindingAsync(live, assignment, now, cancellationToken).ConfigureAwait(false);
        if (claimed is null)
        {
            return new AssignmentOutcome(existing!, Created: false);
        }

        // A new id (stored by this request a moment ago) rather than the id of a pending assignment taken over.
        var storedJustNow = claimed.Value.Id == assignment.Id;
        var done = await CompleteAsync(claimed, storedJustNow, client, fields, cancellationToken).ConfigureAwait(false);
        LogCreated(_logger, done.Id, integration.Id, done.Ticket.Number ?? string.Empty, done.AssessmentName, caller ?? "an unnamed caller");
        return new AssignmentOutcome(done, Created: true);
    }

    public async Task<Assignment> GetAsync(string id, CancellationToken cancellationToken) =>
        (await LoadAsync(id, cancellationToken).ConfigureAwait(false)).Value;

    public async Task<ResultPage<Assignment>> ListAsync(
        string? integrationId, string? assessmentName, string? resourceId, string? status, int? pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var check = new IntegrationValidation();
        var size = pageSize ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize)
        {
            check.Add("top", $"Must be between 1 and {MaxPageSize}.");
        }

        var integration = check.Text("integrationId", integrationId);
        var name = assessmentName is null ? null : AssignmentInput.AssessmentName(check, assessmentName);
        var resource = resourceId is null ? null : AssignmentInput.ResourceId(check, resourceId);
        AssignmentStatus? wanted = null;
        if (status is not null)
        {
            // Read without case, as it always was; numbers are not names.
            if (ContractNames.TryParseIgnoringCase(status, out AssignmentStatus parsed))
            {
                wanted = parsed;
            }
            else
            {
                check.Add("status", $"Must be {ContractNames.Choices<AssignmentStatus>()}.");
            }
        }

        check.ThrowIfInvalid();
        await LoadIntegrationAsync(integration!, cancellationToken, refuseDeleting: false).ConfigureAwait(false);
        return await _assignments.ListAsync(new AssignmentQuery(integration!, name, resource, wanted), size, continuationToken, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Changes owner, due date, grace period or notifications: the ServiceNow ticket (assignee, a work note for a new due
    /// date), the governance assignment, then the stored assignment, which must not have changed since it was read.
    /// </summary>
    public async Task<Assignment> UpdateAsync(string id, UpdateAssignmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _timeProvider.GetUtcNow();
        var check = new IntegrationValidation();
        var assignedTo = AssignmentInput.User(check, "assignedTo", request.AssignedTo, required: false);
        var dueDate = AssignmentInput.DueDate(check, request.RemediationTimeframeDays, request.DueDate, now, required: false);
        if (request is { AssignedTo: null, DueDate: null, RemediationTimeframeDays: null, GracePeriod: null, EmailNotifications: null })
        {
            check.Add("body", "Give at least one of assignedTo, dueDate, remediationTimeframeDays, gracePeriod, emailNotifications.");
        }

        check.ThrowIfInvalid();

        var current = await LoadAsync(id, cancellationToken).ConfigureAwait(false);
        var assignment = current.Value;
        RefuseUnlessActive(assignment, "changed");
        var integration = await LoadIntegrationAsync(assignment.IntegrationId, cancellationToken).ConfigureAwait(false);
        var client = _serviceNow.Create(integration.ToConnection());

        var ticketFields = new Dictionary<string, string>();
        var updated = assignment with
        {
            GracePeriod = request.GracePeriod ?? assignment.GracePeriod,
            EmailNotifications = AssignmentInput.Notifications(request.EmailNotifications, assignment.EmailNotifications),
            UpdatedAt = now,
        };
        if (assignedTo is not null)
        {
            var owner = await client.ResolveUserAsync(assignedTo, "assignedTo", cancellationToken).ConfigureAwait(false);
            if (owner.Email is null)
            {
                throw new ValidationException("assignedTo", $"ServiceNow user '{owner.UserName}' has no e-mail address, which Defender needs to name the owner.");
            }

            if (owner.SysId != assignment.AssignedToSysId)
            {
                ticketFields["assigned_to"] = owner.SysId;
            }

            updated = updated with { AssignedTo = owner.Email, AssignedToSysId = owner.SysId };
        }

        if (dueDate is { } newDue && newDue != assignment.DueDate)
        {
            ticketFields["work_notes"] = $"DefenderSnow: the remediation due date changed from {assignment.DueDate:yyyy-MM-dd HH:mm} UTC to {newDue:yyyy-MM-dd HH:mm} UTC.";
            updated = updated with { DueDate = newDue };
        }

        var ticket = assignment.Ticket;
        if (ticketFields.Count > 0)
        {
            var changed = await client.UpdateTicketAsync(ticket.Table, ticket.SysId!, ticketFields, cancellationToken).ConfigureAwait(false);
            updated = updated with { Ticket = ticket with { State = changed.State.Name } };
        }

        var governance = ToGovernance(updated) with
        {
            // Defender records a moved date as an ETA with its reason; its portal offers no way to move it at all.
            RemediationEta = updated.DueDate == assignment.DueDate ? null : new RemediationEta(updated.DueDate, "Due date changed through DefenderSnow."),
        };
        await _defender.PutGovernanceAssignmentAsync(updated.ResourceId, updated.AssessmentName, updated.Id, governance, cancellationToken).ConfigureAwait(false);
        var saved = await _assignments.UpdateAsync(current with { Value = updated }, cancellationToken).ConfigureAwait(false);
        LogUpdated(_logger, id, ticketFields.Keys);
        return saved.Value;
    }

    /// <summary>
    /// Removes the governance assignment, closes the assignment (reason <see cref="ClosedReason.Deleted"/>) and leaves a
    /// work note on the ticket, which stays open; a note that cannot be written does not fail the delete.
    /// </summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var current = await LoadAsync(id, cancellationToken).ConfigureAwait(false);
        var assignment = current.Value;
        if (assignment.Status == AssignmentStatus.Closed)
        {
            throw new ConflictException($"Assignment '{id}' is already closed ({ClosedReasonName(assignment.ClosedReason)}).");
        }

        if (assignment.Status == AssignmentStatus.Pending && assignment.ClaimedUntil > _timeProvider.GetUtcNow())
        {
            throw new ConflictException($"Assignment '{id}' is still being created; repeat the delete when it is active.");
        }

        var integration = await _integrations.GetAsync(assignment.IntegrationId, cancellationToken).ConfigureAwait(false);
        await _defender.DeleteGovernanceAssignmentAsync(assignment.ResourceId, assignment.AssessmentName, assignment.Id, cancellationToken).ConfigureAwait(false);
        await _assignments.CloseAsync(current, ClosedReason.Deleted, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        _telemetry.AssignmentClosed(ClosedReason.Deleted);
        if (integration is not null)
        {
            await LeaveDeletionNoteAsync(integration.Value, assignment, cancellationToken).ConfigureAwait(false);
        }

        LogDeleted(_logger, id, assignment.IntegrationId);
    }

    private static async Task<ServiceNowGroup?> ResolveGroupAsync(IServiceNowClient client, string group, CancellationToken cancellationToken) =>
        await client.ResolveGroupAsync(group, "assignmentGroup", cancellationToken).ConfigureAwait(false);

    /// <summary>The resource must lie in the integration's scope (422 otherwise).</summary>
    private async Task RefuseOutOfScopeAsync(Integration integration, string resourceId, CancellationToken cancellationToken)
    {
        var scope = _scopes.Create();
        if (!await scope.IsCoveredAsync(integration.Scope, resourceId, cancellationToken).ConfigureAwait(false))
        {
            throw new UnprocessableException("resourceId", $"The resource is not within the integration's scope ({integration.Scope.Type.ToContract()} {integration.Scope.Id}).");
        }
    }

    /// <summary>The recommendation's metadata and its assessment of the resource, which must be Unhealthy (422 otherwise); both read at once.</summary>
    private async Task<(AssessmentMetadata Metadata, Assessment Assessment)> ReadUnhealthyFindingAsync(
        string assessmentName, string resourceId, CancellationToken cancellationToken)
    {
        var metadataRead = _defender.GetAssessmentMetadataAsync(assessmentName, cancellationToken);
        var assessmentRead = _defender.GetAssessmentAsync(resourceId, assessmentName, cancellationToken);
        await Task.WhenAll(metadataRead, assessmentRead).ConfigureAwait(false);
        var metadata = await metadataRead.ConfigureAwait(false)
            ?? throw new UnprocessableException("assessmentName", "Defender for Cloud has no recommendation with this name.");
        var assessment = await assessmentRead.ConfigureAwait(false)
            ?? throw new UnprocessableException("assessmentName", "Defender for Cloud has not assessed this resource for this recommendation.");
        if (assessment.Status.Code != AssessmentStatusCode.Unhealthy)
        {
            throw new UnprocessableException("assessmentName", $"The recommendation is {assessment.Status.Code} for this resource; only Unhealthy findings can be assigned.");
        }

        return (metadata, assessment);
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
            var assignment = current.Value;
            var ticket = await _tickets.OpenAsync(client, assignment, fields, storedJustNow, cancellationToken).ConfigureAwait(false);
            current = await _assignments.UpdateAsync(
                current with { Value = assignment with { Ticket = ToReference(ticket), UpdatedAt = _timeProvider.GetUtcNow() } }, cancellationToken).ConfigureAwait(false);

            await _defender.PutGovernanceAssignmentAsync(assignment.ResourceId, assignment.AssessmentName, assignment.Id, ToGovernance(current.Value), cancellationToken).ConfigureAwait(false);

            // One more look: a create ServiceNow committed late may have landed since; being newer, it is the one to cancel.
            await _tickets.CancelDuplicatesAsync(client, assignment.CorrelationId, ticket, mayAdoptOlder: false, cancellationToken).ConfigureAwait(false);
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

    private async Task LeaveDeletionNoteAsync(Integration integration, Assignment assignment, CancellationToken cancellationToken)
    {
        try
        {
            var client = _serviceNow.Create(integration.ToConnection());
            var sysId = assignment.Ticket.SysId
                ?? (await client.FindByCorrelationIdAsync(assignment.Ticket.Table, assignment.CorrelationId, cancellationToken).ConfigureAwait(false))?.SysId;
            if (sysId is not null)
            {
                await client.AddWorkNoteAsync(
                    assignment.Ticket.Table, sysId, "DefenderSnow: this ticket's assignment was deleted, and Defender for Cloud no longer shows it as the owner's task. The ticket stays open.", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DomainException e)
        {
            LogDeletionNoteFailed(_logger, assignment.Id, assignment.Ticket.Number ?? "(unknown)", e.Message);
        }
    }

    private static GovernanceAssignment ToGovernance(Assignment assignment) => new()
    {
        Owner = assignment.AssignedTo,
        RemediationDueDate = assignment.DueDate,
        IsGracePeriod = assignment.GracePeriod,
        GovernanceEmailNotification = new GovernanceEmailNotification(
            DisableManagerEmailNotification: !assignment.EmailNotifications.NotifyManager,
            DisableOwnerEmailNotification: !assignment.EmailNotifications.NotifyOwner),
        AdditionalData = new GovernanceAssignmentAdditionalData(
            TicketNumber.TryToGovernanceNumber(assignment.Ticket.Number, out var number) ? number : null,
            assignment.Ticket.Link,
            assignment.Ticket.State),
    };

    private static TicketReference ToReference(ServiceNowTicket ticket) =>
        new(ticket.Table, ticket.Number, ticket.SysId, ticket.Link.AbsoluteUri, ticket.State.Name);

    private static void RefuseUnlessActive(Assignment assignment, string verb)
    {
        if (assignment.Status == AssignmentStatus.Closed)
        {
            throw new ConflictException($"Assignment '{assignment.Id}' is closed ({ClosedReasonName(assignment.ClosedReason)}) and cannot be {verb}.");
        }

        if (assignment.Status == AssignmentStatus.Pending)
        {
            throw new ConflictException($"Assignment '{assignment.Id}' is still being created and cannot be {verb} yet; repeat its create request to finish it.");
        }
    }

    private static string ClosedReasonName(ClosedReason? reason) => reason?.ToContract() ?? "closed";

    private async Task<Versioned<Assignment>> LoadAsync(string id, CancellationToken cancellationToken) =>
        await _assignments.FindAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Assignment", id);

    private async Task<Integration> LoadIntegrationAsync(string id, CancellationToken cancellationToken, bool refuseDeleting = true)
    {
        var integration = (await _integrations.GetAsync(id, cancellationToken).ConfigureAwait(false))?.Value
            ?? throw new NotFoundException("Integration", id);
        if (refuseDeleting && integration.DeletionStartedAt is not null)
        {
            throw new ConflictException($"Integration '{id}' is being deleted; no assignment can be created or changed for it.");
        }

        return integration;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Assignment {AssignmentId} of integration {IntegrationId} is active with ticket {TicketNumber} for recommendation {AssessmentName}, created by {Caller}")]
    private static partial void LogCreated(ILogger logger, string assignmentId, string integrationId, string ticketNumber, string assessmentName, string caller);

    [LoggerMessage(Level = LogLevel.Information, Message = "Completing pending assignment {AssignmentId} left by an earlier request")]
    private static partial void LogResumed(ILogger logger, string assignmentId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Assignment {AssignmentId} updated: governance and ticket fields [{TicketFields}]")]
    private static partial void LogUpdated(ILogger logger, string assignmentId, IEnumerable<string> ticketFields);

    [LoggerMessage(Level = LogLevel.Information, Message = "Assignment {AssignmentId} of integration {IntegrationId} deleted")]
    private static partial void LogDeleted(ILogger logger, string assignmentId, string integrationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Assignment {AssignmentId} was closed while it was created; its governance assignment could not be removed: {Reason}")]
    private static partial void LogGovernanceNotRemoved(ILogger logger, string assignmentId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release pending assignment {AssignmentId}; its claim lapses on its own")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string assignmentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Assignment {AssignmentId} deleted, but its ticket {TicketNumber} did not get a work note: {Reason}")]
    private static partial void LogDeletionNoteFailed(ILogger logger, string assignmentId, string ticketNumber, string reason);
}
