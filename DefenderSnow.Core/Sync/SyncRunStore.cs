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
                var integrations = await ReadIntegrationsAsync(table, page.Values, cancellationToken).ConfigureAwait(false);
                var runs = page.Values.Select(run => ToModel(run, integrations[run.RowKey])).ToList();
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
        var integrations = await ReadIntegrationsAsync(table, [run], cancellationToken).ConfigureAwait(false);
        return ToModel(run, integrations[run.RowKey]);
    }

    /// <summary>
    /// The integration rows of a page of runs, by run id, in one query rather than one per run. A page is a stretch of
    /// the listing's order (partition, then run id), so its runs' rows are exactly those after the first run and before
    /// the end of the last one: in the first partition after its first run, in the last before its last run's end, and
    /// all of any partition between.
    /// </summary>
    private static async Task<ILookup<string, IntegrationSyncResult>> ReadIntegrationsAsync(
        TableClient table, IReadOnlyList<SyncRunEntity> runs, CancellationToken cancellationToken)
    {
        if (runs.Count == 0)
        {
            return Array.Empty<IntegrationSyncResult>().ToLookup(_ => string.Empty);
        }

        var (first, last) = (runs[0], runs[^1]);
        // "_" sorts after the run id's own characters and "`" right after "_": a run's integration rows are "{runId}_…".
        var (after, before) = (first.RowKey + "_", last.RowKey + "`");
        var filter = first.PartitionKey == last.PartitionKey
            ? TableClient.CreateQueryFilter(
                $"PartitionKey eq {first.PartitionKey} and RowKey gt {after} and RowKey lt {before} and Kind eq {IntegrationSyncEntity.KindValue}")
            : TableClient.CreateQueryFilter(
                $"PartitionKey ge {first.PartitionKey} and PartitionKey le {last.PartitionKey} and (PartitionKey gt {first.PartitionKey} or RowKey gt {after}) and (PartitionKey lt {last.PartitionKey} or RowKey lt {before}) and Kind eq {IntegrationSyncEntity.KindValue}");
        var rows = new List<IntegrationSyncEntity>(runs.Sum(run => run.IntegrationCount));
        await foreach (var row in table.QueryAsync<IntegrationSyncEntity>(filter, TablePageSize.Max, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        return rows.ToLookup(row => row.RowKey[..row.RowKey.IndexOf('_', StringComparison.Ordinal)], row => row.ToModel(), StringComparer.Ordinal);
    }

    private static SyncRun ToModel(SyncRunEntity run, IEnumerable<IntegrationSyncResult> integrations) => new()
    {
        RunId = run.RowKey,
        Trigger = Enum.Parse<SyncTrigger>(run.Trigger),
        Full = run.Full,
        StartedAt = run.StartedAt,
        Integrations = integrations.ToList(),
    };
}
