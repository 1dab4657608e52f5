using Azure;
using Azure.Data.Tables;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Rules;

/// <inheritdoc />
internal sealed class RuleStore : IRuleStore
{
    private static readonly string[] RowKeyOnly = ["RowKey"];
    private readonly TableClientProvider _tables;
    private readonly ContinuationTokenCodec _continuationTokens;

    public RuleStore(TableClientProvider tables, ContinuationTokenCodec continuationTokens)
    {
        _tables = tables;
        _continuationTokens = continuationTokens;
    }

    public async Task<Versioned<Rule>> AddAsync(Rule rule, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Rules, cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await table.AddEntityAsync(RuleEntity.From(rule), cancellationToken).ConfigureAwait(false);
            return new Versioned<Rule>(rule, response.Headers.ETag ?? default);
        }
        catch (RequestFailedException e) when (e.Status == TableErrors.Conflict)
        {
            throw new ConflictException($"Rule '{rule.Id}' already exists.", e);
        }
    }

    public async Task<Versioned<Rule>?> GetAsync(string integrationId, string ruleId, CancellationToken cancellationToken)
    {
        if (!RuleId.IsWellFormed(ruleId))
        {
            return null;
        }

        var table = await _tables.GetAsync(Table.Rules, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<RuleEntity>(integrationId, ruleId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? new Versioned<Rule>(response.Value!.ToModel(), response.Value.ETag) : null;
    }

    public async Task<ResultPage<Rule>> ListAsync(string integrationId, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        // A token is good for the listing it came from only: one integration's token cannot page another's.
        var listing = "rules|" + integrationId;
        var storageToken = await _continuationTokens.UnprotectAsync(continuationToken, listing, cancellationToken).ConfigureAwait(false);
        var table = await _tables.GetAsync(Table.Rules, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {integrationId}");
        await foreach (var page in table.QueryAsync<RuleEntity>(filter, pageSize, cancellationToken: cancellationToken)
            .AsPages(storageToken, pageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var next = await _continuationTokens.ProtectAsync(page.ContinuationToken, listing, cancellationToken).ConfigureAwait(false);
            return new ResultPage<Rule>(page.Values.Select(e => e.ToModel()).ToList(), next);
        }

        return new ResultPage<Rule>([], null);
    }

    public async Task<IReadOnlyList<Rule>> ListAllAsync(string integrationId, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Rules, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {integrationId}");
        var rules = new List<Rule>();
        await foreach (var entity in table.QueryAsync<RuleEntity>(filter, TablePageSize.Default, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rules.Add(entity.ToModel());
        }

        return rules.OrderBy(r => r.Priority).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
    }

    public async Task<Versioned<Rule>> UpdateAsync(Versioned<Rule> rule, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Rules, cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await table.UpdateEntityAsync(RuleEntity.From(rule.Value), rule.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return rule with { ETag = response.Headers.ETag ?? default };
        }
        catch (RequestFailedException e) when (e.Status is TableErrors.PreconditionFailed or TableErrors.NotFound)
        {
            throw new ConcurrencyException("Rule", rule.Value.Id, e);
        }
    }

    public async Task DeleteAsync(Versioned<Rule> rule, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Rules, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.DeleteEntityAsync(rule.Value.IntegrationId, rule.Value.Id, rule.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is TableErrors.PreconditionFailed or TableErrors.NotFound)
        {
            throw new ConcurrencyException("Rule", rule.Value.Id, e);
        }
    }

    public async Task DeleteAllAsync(string integrationId, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Rules, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {integrationId}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, TablePageSize.Default, RowKeyOnly, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await table.DeleteEntityAsync(integrationId, entity.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == TableErrors.NotFound)
            {
                // Removed by another delivery of the same delete.
            }
        }
    }
}
