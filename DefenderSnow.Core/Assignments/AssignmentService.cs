using DefenderSnow.Core.Access;
using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Sla;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Assignments;

/// <summary>
/// Creates, reads, changes and deletes assignments, keeping Table Storage, the ServiceNow ticket and the Defender
/// governance assignment in step. Here a create request is validated; <see cref="AssignmentCreation"/> then runs the
/// crash-safe, idempotent creation, whose steps and crash points it lists.
/// </summary>
public sealed partial class AssignmentService
{
    /// <summary>The <c>top</c> of the list.</summary>
    public static readonly ListPageSize Paging = new(50);

    private readonly IAssignmentStore _assignments;
    private readonly IntegrationAccess _integrations;
    private readonly IServiceNowClientFactory _serviceNow;
    private readonly IDefenderClient _defender;
    private readonly AssignmentCreation _creation;
    private readonly DefenderSnowTelemetry _telemetry;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AssignmentService> _logger;

    public AssignmentService(
        IAssignmentStore assignments,
        IntegrationAccess integrations,
        IServiceNowClientFactory serviceNow,
        IDefenderClient defender,
        AssignmentCreation creation,
        DefenderSnowTelemetry telemetry,
        TimeProvider timeProvider,
        ILogger<AssignmentService> logger)
    {
        _telemetry = telemetry;
        _assignments = assignments;
        _integrations = integrations;
        _serviceNow = serviceNow;
        _defender = defender;
        _creation = creation;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <param name="caller">Who asks, when App Service authentication says; recorded, never trusted for access.</param>
    /// <param name="access">What the caller may reach: an integration it is not on the list of is not found.</param>
    public Task<AssignmentOutcome> CreateAsync(CreateAssignmentRequest request, string? caller, CallerAccess access, CancellationToken cancellationToken) =>
        CreateAsync(request, caller, origin: null, access, cancellationToken);

    /// <summary>
    /// The one create path, for callers and for automation rules alike; <paramref name="origin"/> names the rule that asks
    /// and the ticket of the finding's previous (closed) assignment, which the new ticket then refers to.
    /// </summary>
    /// <param name="access">A rule passes <see cref="CallerAccess.Unrestricted"/>: whoever created or evaluated it was checked then.</param>
    internal async Task<AssignmentOutcome> CreateAsync(CreateAssignmentRequest request, string? caller, AssignmentOrigin? origin, CallerAccess access, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _timeProvider.GetUtcNow();
        var check = new IntegrationValidation();
        var integrationId = check.Text("integrationId", request.IntegrationId);
        var assessmentName = AssignmentInput.AssessmentName(check, request.AssessmentName);
        var resourceId = AssignmentInput.ResourceId(check, request.ResourceId);
        var ticketType = AssignmentInput.TicketType(check, request.TicketType);
        var assignedTo = AssignmentInput.User(check, "assignedTo", request.AssignedTo, required: true);
        var callerUser = AssignmentInput.User(check, "caller", request.Caller, required: true);
        var shortDescription = check.Text("shortDescription", request.ShortDescription, TicketComposer.ShortDescriptionLength, required: false);
        var description = AssignmentInput.Description(check, request.Description);
        var assignmentGroup = check.Text("assignmentGroup", request.AssignmentGroup, required: false);
        AssignmentInput.Level(check, "impact", request.Impact);
        AssignmentInput.Level(check, "urgency", request.Urgency);
        // Without a date or days of its own, the integration's SLA matrix gives them once the finding is read.
        var dueDate = AssignmentInput.DueDate(check, request.RemediationTimeframeDays, request.DueDate, now, required: false);
        check.ThrowIfInvalid();

        // Two point reads that do not depend on each other, read together; awaited in this order, so an unknown
        // integration is a 404 whatever the other read says.
        var integrationRead = LoadIntegrationAsync(integrationId!, access, cancellationToken);
        var liveRead = _assignments.FindLiveAsync(integrationId!, assessmentName!, resourceId!, cancellationToken);
        await Task.WhenAll(integrationRead, liveRead).ConfigureAwait(false);
        var integration = await integrationRead.ConfigureAwait(false);
        var table = AssignmentInput.TicketTable(check, integration, ticketType!);
        check.ThrowIfInvalid();
        AssignmentInput.FieldsAllowed(check, integration, table!, request);
        if (dueDate is null && integration.SlaMatrix is null)
        {
            check.Add("remediationTimeframeDays", $"Give either remediationTimeframeDays (1-{AssignmentInput.MaxRemediationDays}) or dueDate: the integration has no SLA matrix.");
        }

        check.ThrowIfInvalid();

        var input = new AssignmentCreationInput(
            request, caller, origin, integration, assessmentName!, resourceId!, table!, assignedTo!, callerUser!,
            shortDescription, description, assignmentGroup, dueDate, now);
        return await _creation.CreateAsync(input, await liveRead.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    public async Task<Assignment> GetAsync(string id, CallerAccess access, CancellationToken cancellationToken) =>
        (await LoadAsync(id, access, cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>The assignments of one integration, which the caller must reach (404 otherwise).</summary>
    public async Task<ResultPage<Assignment>> ListAsync(
        string? integrationId, string? assessmentName, string? resourceId, string? status, int? pageSize, string? continuationToken, CallerAccess access, CancellationToken cancellationToken)
    {
        var check = new IntegrationValidation();
        var size = Paging.Resolve(pageSize);
        if (size is null)
        {
            check.Add(ListPageSize.Parameter, ListPageSize.OutOfRange);
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
        await LoadIntegrationAsync(integration!, access, cancellationToken, refuseDeleting: false).ConfigureAwait(false);
        return await _assignments.ListAsync(new AssignmentQuery(integration!, name, resource, wanted), size!.Value, continuationToken, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Changes owner, due date, grace period or notifications: the ServiceNow ticket (assignee, a work note for a new due
    /// date), the governance assignment, then the stored assignment, which must not have changed since it was read.
    /// </summary>
    /// <param name="caller">Who asks, when App Service authentication says; recorded as <c>updatedBy</c>.</param>
    public async Task<Assignment> UpdateAsync(string id, UpdateAssignmentRequest request, CallerAccess access, string? caller, CancellationToken cancellationToken)
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

        var current = await LoadAsync(id, access, cancellationToken).ConfigureAwait(false);
        var assignment = current.Value;
        RefuseUnlessActive(assignment, "changed");
        var integration = await LoadIntegrationAsync(assignment.IntegrationId, access, cancellationToken).ConfigureAwait(false);
        var client = _serviceNow.Create(integration.ToConnection());

        var ticketFields = new Dictionary<string, string>();
        var updated = assignment with
        {
            GracePeriod = request.GracePeriod ?? assignment.GracePeriod,
            EmailNotifications = AssignmentInput.Notifications(request.EmailNotifications, assignment.EmailNotifications),
            UpdatedAt = now,
            UpdatedBy = caller,
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
            ticketFields[SlaDueDate.TicketField] = ServiceNowDateTime.Format(newDue);
            updated = updated with { DueDate = newDue };
        }

        var ticket = assignment.Ticket;
        if (ticketFields.Count > 0)
        {
            var changed = await client.UpdateTicketAsync(ticket.Table, ticket.SysId!, ticketFields, cancellationToken).ConfigureAwait(false);
            updated = updated with { Ticket = ticket with { State = changed.State.Name } };
        }

        var governance = AssignmentGovernance.ToGovernance(updated) with
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
    /// <param name="caller">Who asks, when App Service authentication says; recorded as <c>updatedBy</c> and <c>deletedBy</c>.</param>
    public async Task DeleteAsync(string id, CallerAccess access, string? caller, CancellationToken cancellationToken)
    {
        var current = await LoadAsync(id, access, cancellationToken).ConfigureAwait(false);
        var assignment = current.Value;
        if (assignment.Status == AssignmentStatus.Closed)
        {
            throw new ConflictException($"Assignment '{id}' is already closed ({ClosedReasonName(assignment.ClosedReason)}).");
        }

        if (assignment.Status == AssignmentStatus.Pending && assignment.ClaimedUntil > _timeProvider.GetUtcNow())
        {
            throw new ConflictException($"Assignment '{id}' is still being created; repeat the delete when it is active.");
        }

        var integration = await _integrations.FindAsync(assignment.IntegrationId, access, () => new NotFoundException("Assignment", id), cancellationToken).ConfigureAwait(false);
        await _defender.DeleteGovernanceAssignmentAsync(assignment.ResourceId, assignment.AssessmentName, assignment.Id, cancellationToken).ConfigureAwait(false);
        var byCaller = current with { Value = assignment with { UpdatedBy = caller, DeletedBy = caller } };
        await _assignments.CloseAsync(byCaller, ClosedReason.Deleted, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        _telemetry.AssignmentClosed(ClosedReason.Deleted);
        if (integration is not null)
        {
            await LeaveDeletionNoteAsync(integration, assignment, cancellationToken).ConfigureAwait(false);
        }

        LogDeleted(_logger, id, assignment.IntegrationId);
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

    /// <summary>An assignment of an integration the caller is not on the list of is not found: ids cannot be probed.</summary>
    private async Task<Versioned<Assignment>> LoadAsync(string id, CallerAccess access, CancellationToken cancellationToken)
    {
        var found = await _assignments.FindAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Assignment", id);
        await _integrations.FindAsync(found.Value.IntegrationId, access, () => new NotFoundException("Assignment", id), cancellationToken).ConfigureAwait(false);
        return found;
    }

    private async Task<Integration> LoadIntegrationAsync(string id, CallerAccess access, CancellationToken cancellationToken, bool refuseDeleting = true)
    {
        var integration = await _integrations.RequireAsync(id, access, () => new NotFoundException("Integration", id), cancellationToken).ConfigureAwait(false);
        if (refuseDeleting && integration.DeletionStartedAt is not null)
        {
            throw new ConflictException($"Integration '{id}' is being deleted; no assignment can be created or changed for it.");
        }

        return integration;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Assignment {AssignmentId} updated: governance and ticket fields [{TicketFields}]")]
    private static partial void LogUpdated(ILogger logger, string assignmentId, IEnumerable<string> ticketFields);

    [LoggerMessage(Level = LogLevel.Information, Message = "Assignment {AssignmentId} of integration {IntegrationId} deleted")]
    private static partial void LogDeleted(ILogger logger, string assignmentId, string integrationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Assignment {AssignmentId} deleted, but its ticket {TicketNumber} did not get a work note: {Reason}")]
    private static partial void LogDeletionNoteFailed(ILogger logger, string assignmentId, string ticketNumber, string reason);
}
