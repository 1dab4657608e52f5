using Azure;
using Azure.Data.Tables;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Integrations;

/// <inheritdoc />
internal sealed class IntegrationStore : IIntegrationStore
{
    private readonly TableClientProvider _tables;

    public IntegrationStore(TableClientProvider tables)
    {
        _tables = tables;
    }

    public async Task<Versioned<Integration>> AddAsync(Integration integration, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        var entity = IntegrationEntity.From(integration);
        try
        {
            var response = await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Add, entity),
                    new TableTransactionAction(TableTransactionActionType.Add, NameEntity(entity)),
                ],
                cancellationToken).ConfigureAwait(false);
            return new Versioned<Integration>(integration, response.Value[0].Headers.ETag ?? default);
        }
        catch (TableTransactionFailedException e) when (e.Status == TableErrors.Conflict)
        {
            throw e.FailedTransactionActionIndex == 1
                ? NameTaken(integration)
                : new ConflictException($"Integration '{integration.Id}' already exists.", e);
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
            throw NameTaken(integration.Value);
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
        return response.HasValue;
    }

    public async Task<ResultPage<Integration>> ListAsync(string? scopeId, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        var filter = scopeId is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {IntegrationEntity.Partition} and Kind eq {IntegrationEntity.KindValue}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {IntegrationEntity.Partition} and Kind eq {IntegrationEntity.KindValue} and ScopeKey eq {IntegrationEntity.ScopeKeyOf(scopeId)}");
        try
        {
            await foreach (var page in table.QueryAsync<IntegrationEntity>(filter, pageSize, cancellationToken: cancellationToken)
                .AsPages(continuationToken, pageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                return new ResultPage<Integration>(page.Values.Select(e => e.ToModel().Value).ToList(), page.ContinuationToken);
            }
        }
        catch (RequestFailedException e) when (e.Status == 400 && continuationToken is not null)
        {
            throw new ValidationException("continuationToken", "Is not a continuation token this service issued.");
        }

        return new ResultPage<Integration>([], null);
    }

    /// <summary>Integration ids are 32 hex digits; anything else cannot name one (nor a name reservation row).</summary>
    internal static bool IsIntegrationId(string? id) =>
        id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    private static IntegrationNameEntity NameEntity(IntegrationEntity entity) =>
        new() { RowKey = entity.NameKey, IntegrationId = entity.RowKey };

    private static ConflictException NameTaken(Integration integration) =>
        new($"An integration named '{integration.Name}' already exists in scope '{integration.Scope.Id}'.");
}
