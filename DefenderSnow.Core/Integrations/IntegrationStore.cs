using Azure;
using Azure.Data.Tables;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Integrations;

/// <inheritdoc />
internal sealed class IntegrationStore : IIntegrationStore
{
    private readonly TableClientProvider _tables;
    private readonly ContinuationTokenCodec _continuationTokens;
    private readonly TimeProvider _timeProvider;

    public IntegrationStore(TableClientProvider tables, ContinuationTokenCodec continuationTokens, TimeProvider timeProvider)
    {
        _tables = tables;
        _continuationTokens = continuationTokens;
        _timeProvider = timeProvider;
    }

    public async Task<NameReservation> ReserveNameAsync(string scopeId, string name, string integrationId, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        var now = _timeProvider.GetUtcNow();
        var row = new IntegrationNameEntity { RowKey = IntegrationNameEntity.RowKeyFor(scopeId, name), IntegrationId = integrationId, Pending = true, ReservedAt = now };
        try
        {
            var added = await table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
            return new NameReservation(scopeId, name, integrationId, added.Headers.ETag ?? default);
        }
        catch (RequestFailedException e) when (e.Status == TableErrors.Conflict)
        {
            var existing = await table.GetEntityIfExistsAsync<IntegrationNameEntity>(IntegrationEntity.Partition, row.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!existing.HasValue || !IsStale(existing.Value!))
            {
                throw NameTaken(name, scopeId, e);
            }

            // A create that died left its reservation: take it over, unless another create just did.
            try
            {
                var held = existing.Value!;
                var replaced = await table.UpdateEntityAsync(row, held.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return new NameReservation(scopeId, name, integrationId, replaced.Headers.ETag ?? default, held.IntegrationId);
            }
            catch (RequestFailedException lost) when (lost.Status is TableErrors.PreconditionFailed or TableErrors.NotFound)
            {
                throw NameTaken(name, scopeId, lost);
            }
        }
    }

    public async Task ReleaseNameAsync(NameReservation reservation, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.DeleteEntityAsync(IntegrationEntity.Partition, IntegrationNameEntity.RowKeyFor(reservation.ScopeId, reservation.Name), reservation.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is TableErrors.PreconditionFailed or TableErrors.NotFound)
        {
            // Taken over or already gone: it is not ours to release any more.
        }
    }

    public async Task<Versioned<Integration>> AddAsync(Integration integration, NameReservation reservation, CancellationToken cancellationToken)
    {
        var entity = IntegrationEntity.From(integration);
        if (reservation.IntegrationId != integration.Id || entity.NameKey != IntegrationNameEntity.RowKeyFor(reservation.ScopeId, reservation.Name))
        {
            throw new ArgumentException("The reservation is for another integration or name.", nameof(reservation));
        }

        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Add, entity),
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, NameEntity(entity), reservation.ETag),
                ],
                cancellationToken).ConfigureAwait(false);
            return new Versioned<Integration>(integration, response.Value[0].Headers.ETag ?? default);
        }
        catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex == 1 && e.Status is TableErrors.PreconditionFailed or TableErrors.NotFound)
        {
            throw new ConflictException($"The name '{integration.Name}' was taken over in scope '{integration.Scope.Id}' while the integration was being created.", e);
        }
        catch (TableTransactionFailedException e) when (e.Status == TableErrors.Conflict)
        {
            throw new ConflictException($"Integration '{integration.Id}' already exists.", e);
        }
    }

    public async Task<Versioned<Integration>?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsIntegrationId(id))
        {
            return null;
        }

        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<IntegrationEntity>(IntegrationEntity.Partition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value!.ToModel() : null;
    }

    public async Task<Versioned<Integration>> UpdateAsync(Versioned<Integration> integration, string previousName, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        var entity = IntegrationEntity.From(integration.Value);
        var previousKey = IntegrationNameEntity.RowKeyFor(integration.Value.Scope.Id, previousName);
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, entity, integration.ETag) };
        if (previousKey != entity.NameKey)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new IntegrationNameEntity { RowKey = previousKey }, ETag.All));
            actions.Add(new TableTransactionAction(TableTransactionActionType.Add, NameEntity(entity)));
        }

        try
        {
            var response = await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            return integration with { ETag = response.Value[0].Headers.ETag ?? default };
        }
        catch (TableTransactionFailedException e) when (e.Status == TableErrors.Conflict && e.FailedTransactionActionIndex == 2)
        {
            throw NameTaken(integration.Value.Name, integration.Value.Scope.Id, e);
        }
        catch (TableTransactionFailedException e) when (e.Status is TableErrors.PreconditionFailed or TableErrors.NotFound)
        {
            throw new ConcurrencyException("Integration", integration.Value.Id, e);
        }
    }

    public async Task DeleteAsync(Versioned<Integration> integration, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        var nameKey = IntegrationNameEntity.RowKeyFor(integration.Value.Scope.Id, integration.Value.Name);
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Delete, new IntegrationEntity { RowKey = integration.Value.Id }, integration.ETag),
        };
        var name = await table.GetEntityIfExistsAsync<IntegrationNameEntity>(IntegrationEntity.Partition, nameKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (name.HasValue && name.Value!.IntegrationId == integration.Value.Id)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, name.Value, name.Value.ETag));
        }

        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }
        catch (TableTransactionFailedException e) when (e.Status is TableErrors.PreconditionFailed or TableErrors.NotFound)
        {
            throw new ConcurrencyException("Integration", integration.Value.Id, e);
        }
    }

    public async Task<bool> IsNameTakenAsync(string scopeId, string name, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<IntegrationNameEntity>(IntegrationEntity.Partition, IntegrationNameEntity.RowKeyFor(scopeId, name), cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue && !IsStale(response.Value!);
    }

    public async Task<ResultPage<Integration>> ListAsync(string? scopeId, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        // A token is good for the listing it came from only: a token of one scope's list cannot page another's.
        var listing = "integrations|" + (scopeId is null ? "*" : IntegrationEntity.ScopeKeyOf(scopeId));
        var storageToken = await _continuationTokens.UnprotectAsync(continuationToken, listing, cancellationToken).ConfigureAwait(false);
        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        var filter = scopeId is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {IntegrationEntity.Partition} and Kind eq {IntegrationEntity.KindValue}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {IntegrationEntity.Partition} and Kind eq {IntegrationEntity.KindValue} and ScopeKey eq {IntegrationEntity.ScopeKeyOf(scopeId)}");
        await foreach (var page in table.QueryAsync<IntegrationEntity>(filter, pageSize, cancellationToken: cancellationToken)
            .AsPages(storageToken, pageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var next = await _continuationTokens.ProtectAsync(page.ContinuationToken, listing, cancellationToken).ConfigureAwait(false);
            return new ResultPage<Integration>(page.Values.Select(e => e.ToModel().Value).ToList(), next);
        }

        return new ResultPage<Integration>([], null);
    }

    /// <summary>A reservation whose create has run far longer than any create can: it died.</summary>
    private bool IsStale(IntegrationNameEntity name) =>
        name is { Pending: true, ReservedAt: { } reservedAt } && _timeProvider.GetUtcNow() - reservedAt >= NameReservation.StaleAfter;

    /// <summary>Integration ids are 32 hex digits; anything else cannot name one (nor a name reservation row).</summary>
    internal static bool IsIntegrationId(string? id) =>
        id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    private static IntegrationNameEntity NameEntity(IntegrationEntity entity) =>
        new() { RowKey = entity.NameKey, IntegrationId = entity.RowKey };

    private static ConflictException NameTaken(string name, string scopeId, Exception inner) =>
        new($"An integration named '{name}' already exists in scope '{scopeId}'.", inner);
}
