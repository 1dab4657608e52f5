using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Sync;

/// <summary>Integrations' sync states; every write is conditional on the ETag it read.</summary>
public interface ISyncStateStore
{
    /// <returns>The state, or a fresh one (with an empty ETag) when the integration has never been synced.</returns>
    Task<Versioned<SyncState>> GetAsync(string integrationId, CancellationToken cancellationToken);

    /// <summary>Inserts (empty ETag) or replaces the state.</summary>
    /// <exception cref="Errors.ConcurrencyException">Someone else wrote it since it was read.</exception>
    Task<Versioned<SyncState>> SaveAsync(Versioned<SyncState> state, CancellationToken cancellationToken);

    /// <summary>Removes the state; gone already is fine.</summary>
    Task DeleteAsync(string integrationId, CancellationToken cancellationToken);
}
