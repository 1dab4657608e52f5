using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Sync;

/// <summary>Runs in the <c>syncruns</c> table: a run row and one row per integration.</summary>
public interface ISyncRunStore
{
    /// <summary>Records a new run with each integration's starting row (pending, or skipped with a note).</summary>
    Task AddAsync(SyncRun run, CancellationToken cancellationToken);

    /// <returns>The run with every integration, or null when there is none with that id.</returns>
    Task<SyncRun?> GetAsync(string runId, CancellationToken cancellationToken);

    /// <returns>One integration's row of a run, or null.</returns>
    Task<IntegrationSyncResult?> GetIntegrationAsync(string runId, string integrationId, CancellationToken cancellationToken);

    /// <summary>Writes one integration's row; only the handler holding that integration for the run writes it.</summary>
    Task SaveIntegrationAsync(string runId, IntegrationSyncResult result, CancellationToken cancellationToken);

    /// <summary>Runs newest first, a page at a time.</summary>
    Task<ResultPage<SyncRun>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken);
}
