using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Infrastructure;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// Creates live assignments the way CreateAssignment leaves them: a ticket opened through the app's ServiceNow
/// client with correlation_id = the assignment id, a Defender governance assignment under the key = the
/// assignment id, and the active assignment in Table Storage. The one place to swap for CreateAssignment.
/// </summary>
public sealed class LiveAssignments
{
    private readonly TestApp _app;

    public LiveAssignments(TestApp app)
    {
        _app = app;
    }

    public static string NewResourceId(string subscriptionScope) =>
        $"{subscriptionScope}/resourceGroups/rg-sync/providers/Microsoft.Compute/virtualMachines/vm-{Guid.NewGuid():N}";

    /// <param name="integrationId">The integration that owns it.</param>
    /// <param name="table">incident, problem or change_request.</param>
    /// <param name="ownerSysId">The owner's ServiceNow sys_id (the ticket's assignee).</param>
    /// <param name="ownerEmail">The owner's e-mail (Defender's owner).</param>
    /// <param name="resourceId">The unhealthy resource, within the integration's scope.</param>
    public async Task<Assignment> CreateAsync(string integrationId, string table, string ownerSysId, string ownerEmail, string resourceId)
    {
        var integration = (await _app.Get<IIntegrationStore>().GetAsync(integrationId, CancellationToken.None))!.Value;
        var assessmentName = Guid.NewGuid().ToString("D");
        _app.ResourceManager.State.SeedAssessment(new SimulatedAssessment(resourceId, assessmentName, SimulatedAssessmentStatus.Unhealthy));

        var id = Guid.NewGuid().ToString("N");
        var definition = ServiceNowTicketTables.Get(table);
        var client = _app.Get<IServiceNowClientFactory>().Create(integration.ToConnection());
        var ticket = await client.CreateTicketAsync(
            new ServiceNowTicketRequest(table, id, new Dictionary<string, string>
            {
                ["short_description"] = $"Remediate {assessmentName}",
                ["assigned_to"] = ownerSysId,
                [definition.CallerField] = ownerSysId,
            }),
            CancellationToken.None);

        var now = DateTimeOffset.UtcNow;
        var assignment = new Assignment
        {
            Id = id,
            IntegrationId = integrationId,
            AssessmentName = assessmentName,
            ResourceId = resourceId,
            Ticket = new TicketReference(table, ticket.Number, ticket.SysId, ticket.Link.AbsoluteUri, ticket.State.Name),
            AssignedTo = ownerEmail,
            AssignedToSysId = ownerSysId,
            Caller = ownerEmail,
            ShortDescription = $"Remediate {assessmentName}",
            DueDate = now.AddDays(30),
            Status = AssignmentStatus.Active,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await _app.Get<IDefenderClient>().PutGovernanceAssignmentAsync(
            resourceId,
            assessmentName,
            id,
            new GovernanceAssignment
            {
                Owner = ownerEmail,
                RemediationDueDate = assignment.DueDate,
                IsGracePeriod = false,
                AdditionalData = new GovernanceAssignmentAdditionalData(TicketNumber.ToGovernanceNumber(ticket.Number), ticket.Link.AbsoluteUri, ticket.State.Name),
            },
            CancellationToken.None);
        await _app.Get<IAssignmentStore>().AddAsync(assignment, CancellationToken.None);
        return assignment;
    }
}
