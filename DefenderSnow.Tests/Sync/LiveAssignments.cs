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

    /// <summary>
    /// Many live assignments at once, <paramref name="parallelism"/> at a time. With <paramref name="withTickets"/>
    /// false the ticket reference is made up and nothing is opened in ServiceNow: for work that never reads tickets.
    /// </summary>
    public async Task<Assignment[]> CreateManyAsync(string integrationId, int count, string subscriptionScope, string ownerSysId, string ownerEmail, bool withTickets = true, int parallelism = 8)
    {
        var tables = new[] { ServiceNowTicketTables.Incident, ServiceNowTicketTables.Problem, ServiceNowTicketTables.ChangeRequest };
        var created = new Assignment[count];
        using var gate = new SemaphoreSlim(parallelism);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                created[i] = await CreateAsync(integrationId, tables[i % tables.Length], ownerSysId, ownerEmail, NewResourceId(subscriptionScope), withTickets);
            }
            finally
            {
                gate.Release();
            }
        }));
        return created;
    }

    /// <param name="integrationId">The integration that owns it.</param>
    /// <param name="table">incident, problem or change_request.</param>
    /// <param name="ownerSysId">The owner's ServiceNow sys_id (the ticket's assignee).</param>
    /// <param name="ownerEmail">The owner's e-mail (Defender's owner).</param>
    /// <param name="resourceId">The unhealthy resource, within the integration's scope.</param>
    /// <param name="withTickets">False: a made-up ticket reference, nothing opened in ServiceNow.</param>
    public async Task<Assignment> CreateAsync(string integrationId, string table, string ownerSysId, string ownerEmail, string resourceId, bool withTickets = true)
    {
        var integration = (await _app.Get<IIntegrationStore>().GetAsync(integrationId, CancellationToken.None))!.Value;
        var assessmentName = Guid.NewGuid().ToString("D");
        _app.ResourceManager.State.SeedAssessment(new SimulatedAssessment(resourceId, assessmentName, SimulatedAssessmentStatus.Unhealthy));

        var id = Guid.NewGuid().ToString("N");
        var definition = ServiceNowTicketTables.Get(table);
        var ticket = withTickets
            ? await _app.Get<IServiceNowClientFactory>().Create(integration.ToConnection()).CreateTicketAsync(
                new ServiceNowTicketRequest(table, id, new Dictionary<string, string>
                {
                    ["short_description"] = $"Remediate {assessmentName}",
                    ["assigned_to"] = ownerSysId,
                    [definition.CallerField] = ownerSysId,
                }),
                CancellationToken.None)
            : MadeUpTicket(definition, id);

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

    private static ServiceNowTicket MadeUpTicket(ServiceNowTicketTable table, string assignmentId) => new()
    {
        Table = table.Name,
        SysId = assignmentId,
        Number = $"{table.NumberPrefix}{Random.Shared.Next(1_000_000, 9_999_999)}",
        State = table.States[0],
        CorrelationId = assignmentId,
        CreatedOn = DateTimeOffset.UtcNow,
        UpdatedOn = DateTimeOffset.UtcNow,
        ModCount = 0,
        Link = new Uri($"https://contoso.service-now.com/{table.Name}.do?sys_id={assignmentId}"),
    };
}
