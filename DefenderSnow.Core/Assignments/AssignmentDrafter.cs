using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Sla;

namespace DefenderSnow.Core.Assignments;

/// <summary>
/// The reads that come before creation writes anything: the resource must lie in the integration's scope, the finding
/// must be Unhealthy, the owner, the opener and the group must exist in ServiceNow. From them it composes the ticket's
/// fields and the pending assignment. Nothing is written, so a failure here leaves nothing to mend.
/// </summary>
public sealed class AssignmentDrafter
{
    private readonly IServiceNowClientFactory _serviceNow;
    private readonly IDefenderClient _defender;
    private readonly IScopeMembershipFactory _scopes;

    public AssignmentDrafter(IServiceNowClientFactory serviceNow, IDefenderClient defender, IScopeMembershipFactory scopes)
    {
        _serviceNow = serviceNow;
        _defender = defender;
        _scopes = scopes;
    }

    internal async Task<AssignmentDraft> DraftAsync(AssignmentCreationInput input, CancellationToken cancellationToken)
    {
        var (request, origin, integration, now) = (input.Request, input.Origin, input.Integration, input.Now);
        await RefuseOutOfScopeAsync(integration, input.ResourceId, cancellationToken).ConfigureAwait(false);

        // The finding and the users are independent reads of two upstream services: asked at once, they cost one round
        // trip instead of four. Awaited in the order that decides which problem a request with several gets.
        var client = _serviceNow.Create(integration.ToConnection());
        var findingRead = ReadUnhealthyFindingAsync(input.AssessmentName, input.ResourceId, cancellationToken);
        var ownerRead = client.ResolveUserAsync(input.AssignedTo, "assignedTo", cancellationToken);
        var openerRead = client.ResolveUserAsync(input.CallerUser, "caller", cancellationToken);
        var groupRead = input.AssignmentGroup is null ? Task.FromResult<ServiceNowGroup?>(null) : ResolveGroupAsync(client, input.AssignmentGroup, cancellationToken);
        await Task.WhenAll(findingRead, ownerRead, openerRead, groupRead).ConfigureAwait(false);
        var (metadata, assessment) = await findingRead.ConfigureAwait(false);
        var owner = await ownerRead.ConfigureAwait(false);
        if (owner.Email is null)
        {
            throw new ValidationException("assignedTo", $"ServiceNow user '{owner.UserName}' has no e-mail address, which Defender needs to name the owner.");
        }

        var opener = await openerRead.ConfigureAwait(false);
        var group = await groupRead.ConfigureAwait(false);

        var fields = TicketComposer.Fields(integration, input.Table, request, metadata, assessment, input.ResourceId, input.ShortDescription, input.Description, owner, opener, group);
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

        if (origin?.ConfigurationItem is { } item && input.Table.HasField("cmdb_ci"))
        {
            // A reference is set by sys_id (ServiceNowTicketTables' task fields).
            fields["cmdb_ci"] = item;
        }

        // The request's own date wins; otherwise the matrix's days for this finding's risk level or severity, from now (UTC).
        var due = SlaDueDate.For(input.DueDate, request.GracePeriod, integration.SlaMatrix, metadata.SeverityName, assessment.Risk?.Level, now);
        fields[SlaDueDate.TicketField] = ServiceNowDateTime.Format(due.DueDate);
        var assignment = new Assignment
        {
            Id = AssignmentId.New(),
            IntegrationId = integration.Id,
            AssessmentName = input.AssessmentName,
            ResourceId = input.ResourceId,
            Recommendation = new Recommendation(metadata.DisplayName ?? assessment.DisplayName, metadata.Severity?.ToContract()),
            Ticket = new TicketReference(input.Table.Name),
            AssignedTo = owner.Email,
            AssignedToSysId = owner.SysId,
            Caller = opener.Email ?? opener.UserName,
            ShortDescription = fields["short_description"],
            DueDate = due.DueDate,
            GracePeriod = due.GracePeriod,
            EmailNotifications = AssignmentInput.Notifications(request.EmailNotifications, new EmailNotifications(NotifyOwner: true, NotifyManager: false)),
            Status = AssignmentStatus.Pending,
            ClaimedUntil = now + AssignmentCreation.ClaimDuration,
            CreatedAt = now,
            CreatedBy = input.Caller,
            UpdatedAt = now,
            UpdatedBy = input.Caller,
            RuleId = origin?.RuleId,
            FollowsTicket = origin?.FollowsTicket,
            GroupId = origin?.Group?.Id,
        };

        return new AssignmentDraft(assignment, fields, client);
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
        // A custom recommendation's metadata lives in the resource's subscription (the resource id was validated in scope).
        var metadataRead = ResourceIdRules.TryGetSubscriptionId(resourceId, out var subscription)
            ? _defender.FindAssessmentMetadataAsync(assessmentName, subscription, cancellationToken)
            : _defender.GetAssessmentMetadataAsync(assessmentName, cancellationToken);
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
}

/// <summary>
/// A pending assignment not yet stored, the fields its ticket will be opened with, and the ServiceNow client of its
/// integration, which the later steps reuse.
/// </summary>
internal sealed record AssignmentDraft(Assignment Assignment, IReadOnlyDictionary<string, string> Fields, IServiceNowClient Client);
