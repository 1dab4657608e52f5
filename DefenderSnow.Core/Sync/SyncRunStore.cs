using Azure;
using Azure.Data.Tables;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Sync;

/// <inheritdoc />
internal sealed class SyncRunStore : ISyncRunStore
{
    /// <summary>An entity-group transaction holds at most 100 operations.</summary>
    private const int TransactionLimit = 100;

    private readonly TableClientProvider _tables;

    public SyncRunStore(TableClientProvider tables)
    {
        _tables = tables;
    }

    public async Task AddAsync(SyncRun run, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.SyncRuns, cancellationToken).ConfigureAwait(false);
        var partition = SyncRunId.PartitionOf(run.RunId);
        var rows = run.Integrations
            .Select(i => new TableTransactionAction(TableTransactionActionType.Add, IntegrationSyncEntity.From(run.RunId, i)))
            .ToList();

        // The integrations' rows first and the run row last: a run that is listed has all its rows.
        foreach (var chunk in rows.Chunk(TransactionLimit))
        {
            await table.SubmitTransactionAsync(chunk, cancellationToken).ConfigureAwait(false);
        }

        await table.AddEntityAsync(
            new SyncRunEntity
            {
                PartitionKey = partition,
                RowKey = run.RunId,
                Trigger = run.Trigger.ToString(),
                Full = run.Full,
                StartedAt = run.StartedAt,
                IntegrationCount = run.Integrations.Count,
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<SyncRun?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        if (!SyncRunId.IsValid(runId))
        {
            return null;
        }

        var table = await _tables.GetAsync(Table.SyncRuns, cancellationToken).ConfigureAwait(false);
        var run = await table.GetEntityIfExistsAsync<SyncRunEntity>(SyncRunId.PartitionOf(runId), runId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return run.HasValue ? await LoadAsync(table, run.Value!, cancellationToken).ConfigureAwait(false) : null;
    }

    public async Task<IntegrationSyncResult?> GetIntegrationAsync(string runId, string integrationId, CancellationToken cancellationToken)
    {
        if (!SyncRunId.IsValid(runId))
        {
            return null;
        }

        var table = await _tables.GetAsync(Table.SyncRuns, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<IntegrationSyncEntity>(
            SyncRunId.PartitionOf(runId), IntegrationSyncEntity.RowKeyFor(runId, integrationId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? row.Value!.ToModel() : null;
    }

    public async Task SaveIntegrationAsync(string runId, IntegrationSyncResult result, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.SyncRuns, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(IntegrationSyncEntity.From(runId, result), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ResultPage<SyncRun>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.SyncRuns, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"Kind eq {SyncRunEntity.KindValue}");
        try
        {
            await foreach (var page in table.QueryAsync<SyncRunEntity>(filter, pageSize, cancellationToken: cancellationToken)
                .AsPages(continuationToken, pageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var runs = new List<SyncRun>(page.Values.Count);
                foreach (var run in page.Values)
                {
                    runs.Add(await LoadAsync(table, run, cancellationToken).ConfigureAwait(false));
                }

                return new ResultPage<SyncRun>(runs, page.ContinuationToken);
            }
        }
        catch (RequestFailedException e) when (e.Status == 400 && continuationToken is not null)
        {
            throw new ValidationException("continuationToken", "Is not a continuation token this service issued.");
        }

        return new ResultPage<SyncRun>([], null);
    }

    private static async Task<SyncRun> LoadAsync(TableClient table, SyncRunEntity run, CancellationToken cancellationToken)
    {
        // "_" sorts after the run id's own characters and "`" right after "_": this range is exactly the run's integration rows.
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {run.PartitionKey} and RowKey gt {run.RowKey + "_"} and RowKey lt {run.RowKey + "`"}");
        var integrations = new List<IntegrationSyncResult>(run.IntegrationCount);
        await foreach (var row in table.QueryAsync<IntegrationSyncEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            integrations.Add(row.ToModel());
        }

        return new SyncRun
        {
            RunId = run.RowKey,
            Trigger = Enum.Parse<SyncTrigger>(run.Trigger),
            Full = run.Full,
            StartedAt = run.StartedAt,
            Integrations = integrations,
        };
    }
}
