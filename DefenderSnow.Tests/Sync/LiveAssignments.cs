using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Functions.Assignments;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// Live assignments made as a user makes them: CreateAssignment (POST /api/assignments) for an unhealthy finding, so
/// the product itself opens the ticket, writes the governance assignment and stores the row. Only
/// <see cref="SeedWithoutTicketsAsync"/> writes behind the product's back; its summary says why.
/// </summary>
public sealed class LiveAssignments(IntegrationHarness harness, string ownerEmail, string caller)
{
    private readonly AssignmentFunctions _functions = harness.App.Function<AssignmentFunctions>();

    private TestApp App => harness.App;

    public static string NewResourceId(string subscriptionScope) =>
        $"{subscriptionScope}/resourceGroups/rg-sync/providers/Microsoft.Compute/virtualMachines/vm-{Guid.NewGuid():N}";

    /// <summary>A recommendation with metadata: CreateAssignment composes the ticket from it and refuses one it does not know.</summary>
    public string NewRecommendation()
    {
        var name = Guid.NewGuid().ToString("D");
        App.ResourceManager.State.SeedMetadata(new SimulatedAssessmentMetadata(name, "Endpoint protection should be installed", SimulatedSeverity.Medium));
        return name;
    }

    /// <summary>
    /// One live assignment through CreateAssignment, for an unhealthy finding of <paramref name="recommendation"/> (a new
    /// one by default) on <paramref name="resourceId"/> (a new resource of the harness's subscription by default).
    /// </summary>
    public async Task<Assignment> CreateAsync(string integrationId, string table = "incident", string? resourceId = null, string? recommendation = null)
    {
        recommendation ??= NewRecommendation();
        resourceId ??= NewResourceId(IntegrationHarness.SubscriptionScope);
        App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(resourceId, recommendation, SimulatedAssessmentStatus.Unhealthy));
        var body = new Dictionary<string, object?>
        {
            ["integrationId"] = integrationId,
            ["assessmentName"] = recommendation,
            ["resourceId"] = resourceId,
            ["ticketType"] = table,
            ["assignedTo"] = ownerEmail,
            ["caller"] = caller,
            ["remediationTimeframeDays"] = 30,
        };

        var created = await harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("POST", "/api/assignments", FunctionCall.Json(body)),
            r => _functions.Create(r, CancellationToken.None)));
        Assert.That(created.Status, Is.EqualTo(201), created.ToString());
        return (await App.Get<IAssignmentStore>().FindAsync(created.Json["id"]!.GetValue<string>(), CancellationToken.None))!.Value;
    }

    /// <summary>
    /// <paramref name="count"/> live assignments through CreateAssignment, <paramref name="parallelism"/> at a time, as
    /// several users at once: one recommendation on new resources of <paramref name="subscriptionScope"/>, the tickets
    /// spread over incident, problem and change_request.
    /// </summary>
    public Task<Assignment[]> CreateManyAsync(string integrationId, int count, string subscriptionScope, int parallelism = 8)
    {
        var tables = new[] { ServiceNowTicketTables.Incident, ServiceNowTicketTables.Problem, ServiceNowTicketTables.ChangeRequest };
        var recommendation = NewRecommendation();
        return InParallelAsync(count, parallelism, i => CreateAsync(integrationId, tables[i % tables.Length], NewResourceId(subscriptionScope), recommendation));
    }

    /// <summary>
    /// Many live assignments whose tickets do not exist, for work that never reads tickets (deleting an integration).
    /// This one writes behind the product's back, through its Defender client and its assignment store: a live
    /// assignment without a ticket is a state CreateAssignment cannot reach (it opens the ticket first), and thousands
    /// through CreateAssignment would open thousands of tickets the test never looks at, several times slower.
    /// </summary>
    public Task<Assignment[]> SeedWithoutTicketsAsync(string integrationId, int count, string subscriptionScope, int parallelism = 8)
    {
        var recommendation = Guid.NewGuid().ToString("D");
        return InParallelAsync(count, parallelism, _ => SeedWithoutTicketAsync(integrationId, recommendation, NewResourceId(subscriptionScope)));
    }

    private static async Task<Assignment[]> InParallelAsync(int count, int parallelism, Func<int, Task<Assignment>> create)
    {
        var created = new Assignment[count];
        using var gate = new SemaphoreSlim(parallelism);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                created[i] = await create(i);
            }
            finally
            {
                gate.Release();
            }
        }));
        return created;
    }

    private async Task<Assignment> SeedWithoutTicketAsync(string integrationId, string recommendation, string resourceId)
    {
        App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(resourceId, recommendation, SimulatedAssessmentStatus.Unhealthy));
        var id = AssignmentId.New();
        var table = ServiceNowTicketTables.Get(ServiceNowTicketTables.Incident);
        var number = $"{table.NumberPrefix}{Random.Shared.Next(1_000_000, 9_999_999)}";
        var link = $"https://contoso.service-now.com/{table.Name}.do?sys_id={id}";
        var now = App.Get<TimeProvider>().GetUtcNow();
        var assignment = new Assignment
        {
            Id = id,
            IntegrationId = integrationId,
            AssessmentName = recommendation,
            ResourceId = resourceId,
            Ticket = new TicketReference(table.Name, number, id, link, table.States[0].Name),
            AssignedTo = ownerEmail,
            Caller = caller,
            ShortDescription = $"Remediate {recommendation}",
            DueDate = now.AddDays(30),
            Status = AssignmentStatus.Active,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await App.Get<IDefenderClient>().PutGovernanceAssignmentAsync(
            resourceId,
            recommendation,
            id,
            new GovernanceAssignment
            {
                Owner = ownerEmail,
                RemediationDueDate = assignment.DueDate,
                IsGracePeriod = false,
                AdditionalData = new GovernanceAssignmentAdditionalData(TicketNumber.ToGovernanceNumber(number), link, table.States[0].Name),
            },
            CancellationToken.None);
        await App.Get<IAssignmentStore>().AddAsync(assignment, CancellationToken.None);
        return assignment;
    }
}
