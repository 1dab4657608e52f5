using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Benchmark;

/// <summary>
/// Puts live assignments in place before timing starts, as CreateAssignment leaves them: the simulators' process
/// seeds the tickets, findings and governance assignments; the assignments' rows go to Table Storage here, in
/// batch transactions, streamed so the population never sits in this process's memory.
/// </summary>
public sealed class Population
{
    /// <summary>Azure Table Storage's limit of actions per batch transaction.</summary>
    private const int BatchLimit = 100;

    /// <summary>The assignments kept for the scenarios to change and check; the rest are only in the stores.</summary>
    private const int Kept = 5_000;

    private readonly BenchmarkApp _app;
    private readonly SimulatorProcess _simulators;
    private readonly string _subscriptionScope;
    private readonly Action<string> _progress;

    public Population(BenchmarkApp app, SimulatorProcess simulators, string subscriptionScope, Action<string> progress)
    {
        _app = app;
        _simulators = simulators;
        _subscriptionScope = subscriptionScope;
        _progress = progress;
    }

    /// <summary>Seeds <paramref name="count"/> live assignments of one new recommendation.</summary>
    /// <returns>The recommendation's name and the first few thousand assignments.</returns>
    public async Task<(string AssessmentName, List<Assignment> Kept)> SeedLiveAsync(string integrationId, int count, Owner owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var assessmentName = Guid.NewGuid().ToString("D");
        var now = DateTimeOffset.UtcNow;
        var dueDate = now.AddDays(30);
        var file = Path.Combine(Path.GetTempPath(), $"defendersnow-benchmark-{Guid.NewGuid():N}.tsv");
        try
        {
            await _simulators.SendAsync(
                new JsonObject
                {
                    ["op"] = "seed",
                    ["count"] = count,
                    ["ownerSysId"] = owner.SysId,
                    ["ownerEmail"] = owner.Email,
                    ["scope"] = _subscriptionScope,
                    ["assessmentName"] = assessmentName,
                    ["dueDate"] = dueDate.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                    ["file"] = file,
                },
                cancellationToken).ConfigureAwait(false);

            var kept = new List<Assignment>();
            var table = await _app.Get<TableClientProvider>().GetAsync(Table.Assignments, cancellationToken).ConfigureAwait(false);
            var rows = File.ReadLines(file).Select(line =>
            {
                var f = line.Split('\t');
                var assignment = new Assignment
                {
                    Id = f[0],
                    IntegrationId = integrationId,
                    AssessmentName = assessmentName,
                    ResourceId = f[6],
                    Ticket = new TicketReference(f[1], f[3], f[2], f[4], f[5]),
                    AssignedTo = owner.Email,
                    AssignedToSysId = owner.SysId,
                    Caller = owner.Email,
                    ShortDescription = $"Remediate {assessmentName}",
                    DueDate = dueDate,
                    Status = AssignmentStatus.Active,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                if (kept.Count < Kept)
                {
                    kept.Add(assignment);
                }

                return assignment;
            });

            // The assignment and its finding share the integration's partition; lookups go to their buckets, gathered
            // per chunk of 10,000 so that batches stay full without holding the whole population.
            var written = 0;
            foreach (var chunk in rows.Chunk(10_000))
            {
                var batches = chunk
                    .SelectMany(a => new ITableEntity[] { AssignmentEntity.From(a), new FindingEntity { PartitionKey = a.IntegrationId, RowKey = a.FindingKey, AssignmentId = a.Id } })
                    .Chunk(BatchLimit)
                    .Concat(chunk.Select(AssignmentLookupEntity.For).GroupBy(l => l.PartitionKey).SelectMany(bucket => bucket.Chunk(BatchLimit).Select(b => b.Cast<ITableEntity>().ToArray())))
                    .Select(batch => batch.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)).ToList())
                    .ToList();
                // One after another: Azurite refuses a batch that overlaps another ("Transaction Overlap!", a 500 the SDK
                // retries with back-off), which made concurrent seeding many times slower.
                foreach (var batch in batches)
                {
                    await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
                }

                written += chunk.Length;
                _progress($"  {written:N0} of {count:N0} assignments' rows written");
            }

            return (assessmentName, kept);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

/// <summary>A ServiceNow user who owns assignments.</summary>
public sealed record Owner(string UserName, string Email, string SysId);
