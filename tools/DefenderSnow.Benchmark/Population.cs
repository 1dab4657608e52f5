using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Storage;
using DefenderSnow.Simulators.Defender;

namespace DefenderSnow.Benchmark;

/// <summary>
/// Puts live assignments in place before timing starts, as CreateAssignment leaves them: a ticket in the
/// ServiceNow simulator (correlation_id = the assignment id), the finding and its governance assignment in the
/// Resource Manager simulator, and the assignment's rows in Table Storage, written in batch transactions.
/// </summary>
public sealed class Population
{
    /// <summary>Azure Table Storage's limit of actions per batch transaction.</summary>
    private const int BatchLimit = 100;

    private static readonly string[] Tables = [ServiceNowTicketTables.Incident, ServiceNowTicketTables.Problem, ServiceNowTicketTables.ChangeRequest];
    private readonly BenchmarkApp _app;
    private readonly string _subscriptionScope;

    public Population(BenchmarkApp app, string subscriptionScope)
    {
        _app = app;
        _subscriptionScope = subscriptionScope;
    }

    /// <summary>An unhealthy finding of one shared recommendation on a new resource, seeded in the Resource Manager simulator.</summary>
    public (string ResourceId, string AssessmentName) NewFinding(string assessmentName)
    {
        var resourceId = $"{_subscriptionScope}/resourceGroups/rg-bench/providers/Microsoft.Compute/virtualMachines/vm-{Guid.NewGuid():N}";
        _app.ResourceManager.State.SeedAssessment(new SimulatedAssessment(resourceId, assessmentName, SimulatedAssessmentStatus.Unhealthy));
        return (resourceId, assessmentName);
    }

    public async Task<IReadOnlyList<Assignment>> SeedLiveAsync(string integrationId, int count, Owner owner, CancellationToken cancellationToken)
    {
        var assessmentName = Guid.NewGuid().ToString("D");
        var now = DateTimeOffset.UtcNow;
        var assignments = new List<Assignment>(count);
        for (var i = 0; i < count; i++)
        {
            var id = Guid.NewGuid().ToString("N");
            var table = ServiceNowTicketTables.Get(Tables[i % Tables.Length]);
            var (resourceId, _) = NewFinding(assessmentName);
            var ticket = _app.ServiceNow.CreateTicket(table.Name, new Dictionary<string, string>
            {
                ["short_description"] = $"Remediate {assessmentName}",
                ["assigned_to"] = owner.SysId,
                [table.CallerField] = owner.SysId,
                ["correlation_id"] = id,
                ["correlation_display"] = ServiceNowTicketTables.CorrelationDisplay,
            });
            var link = table.LinkFor(_app.ServiceNow.BaseUri, ticket["sys_id"]).AbsoluteUri;
            var state = table.DescribeState(ticket["state"]).Name;
            var assignment = new Assignment
            {
                Id = id,
                IntegrationId = integrationId,
                AssessmentName = assessmentName,
                ResourceId = resourceId,
                Ticket = new TicketReference(table.Name, ticket["number"], ticket["sys_id"], link, state),
                AssignedTo = owner.Email,
                AssignedToSysId = owner.SysId,
                Caller = owner.Email,
                ShortDescription = $"Remediate {assessmentName}",
                DueDate = now.AddDays(30),
                Status = AssignmentStatus.Active,
                CreatedAt = now,
                UpdatedAt = now,
            };
            _app.ResourceManager.State.SeedGovernanceAssignment(new StoredGovernanceAssignment(resourceId, assessmentName, id, new JsonObject
            {
                ["owner"] = owner.Email,
                ["remediationDueDate"] = assignment.DueDate.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                ["isGracePeriod"] = false,
                ["additionalData"] = new JsonObject
                {
                    ["ticketNumber"] = TicketNumber.ToGovernanceNumber(ticket["number"]),
                    ["ticketLink"] = link,
                    ["ticketStatus"] = state,
                },
            }));
            assignments.Add(assignment);
        }

        await WriteRowsAsync(assignments, cancellationToken).ConfigureAwait(false);
        return assignments;
    }

    /// <summary>The rows <see cref="IAssignmentStore.AddAsync"/> writes (assignment and finding in its partition, the lookup in a bucket), in batches.</summary>
    private async Task WriteRowsAsync(IReadOnlyList<Assignment> assignments, CancellationToken cancellationToken)
    {
        var table = await _app.Get<TableClientProvider>().GetAsync(Table.Assignments, cancellationToken).ConfigureAwait(false);
        var batches = new List<List<TableTransactionAction>>();
        foreach (var partition in assignments.GroupBy(a => a.IntegrationId))
        {
            batches.AddRange(partition
                .SelectMany(a => new ITableEntity[] { AssignmentEntity.From(a), new FindingEntity { PartitionKey = a.IntegrationId, RowKey = a.FindingKey, AssignmentId = a.Id } })
                .Chunk(BatchLimit)
                .Select(chunk => chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)).ToList()));
        }

        foreach (var bucket in assignments.Select(AssignmentLookupEntity.For).GroupBy(l => l.PartitionKey))
        {
            batches.AddRange(bucket.Chunk(BatchLimit).Select(chunk => chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)).ToList()));
        }

        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (batch, token) =>
            await table.SubmitTransactionAsync(batch, token).ConfigureAwait(false)).ConfigureAwait(false);
    }
}

/// <summary>A ServiceNow user who owns assignments.</summary>
public sealed record Owner(string UserName, string Email, string SysId);
