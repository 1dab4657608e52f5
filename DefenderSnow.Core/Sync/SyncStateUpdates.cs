using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Sync;

/// <summary>Read-modify-write of a sync state, read again when someone else wrote it in between.</summary>
internal static class SyncStateUpdates
{
    private const int MaxAttempts = 5;

    public static async Task<SyncState> UpdateAsync(this ISyncStateStore store, string integrationId, Func<SyncState, SyncState> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await store.GetAsync(integrationId, cancellationToken).ConfigureAwait(false);
            try
            {
                var saved = await store.SaveAsync(current with { Value = change(current.Value) }, cancellationToken).ConfigureAwait(false);
                return saved.Value;
            }
            catch (ConcurrencyException) when (attempt < MaxAttempts)
            {
            }
        }
    }
}
