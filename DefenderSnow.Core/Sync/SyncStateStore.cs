using Azure;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Sync;

/// <inheritdoc />
internal sealed class SyncStateStore : ISyncStateStore
{
    private readonly TableClientProvider _tables;

    public SyncStateStore(TableClientProvider tables)
    {
        _tables = tables;
    }

    public async Task<Versioned<SyncState>> GetAsync(string integrationId, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(
            Integrations.IntegrationEntity.Partition,
            SyncStateEntity.RowKeyFor(integrationId),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue
            ? new Versioned<SyncState>(SyncStateEntity.ToModel(row.Value!), row.Value!.ETag)
            : new Versioned<SyncState>(new SyncState { IntegrationId = integrationId }, default);
    }

    public async Task<Versioned<SyncState>> SaveAsync(Versioned<SyncState> state, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        var entity = SyncStateEntity.From(state.Value, state.ETag);
        try
        {
            var response = state.ETag == default
                ? await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false)
                : await table.UpdateEntityAsync(entity, state.ETag, Azure.Data.Tables.TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return state with { ETag = response.Headers.ETag ?? default };
        }
        catch (RequestFailedException e) when (e.Status is TableErrors.Conflict or TableErrors.PreconditionFailed or TableErrors.NotFound)
        {
            throw new ConcurrencyException("Sync state of integration", state.Value.IntegrationId, e);
        }
    }

    public async Task DeleteAsync(string integrationId, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        await table.DeleteEntityAsync(Integrations.IntegrationEntity.Partition, SyncStateEntity.RowKeyFor(integrationId), ETag.All, cancellationToken).ConfigureAwait(false);
    }
}
