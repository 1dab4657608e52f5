using Azure;
using Azure.Data.Tables;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.TicketEvents;

/// <summary>
/// One row per ticket whose event waits in the queue (partition = integration id, row key = table and sys_id). Only the
/// event that writes the row enqueues, so a burst costs one read; the handler removes the row before it reads the
/// ticket, so a change after that read enqueues again and is never lost.
/// </summary>
public sealed class PendingTicketEventStore
{
    private readonly TableClientProvider _tables;

    internal PendingTicketEventStore(TableClientProvider tables)
    {
        _tables = tables;
    }

    /// <summary>
    /// Marks the ticket pending. A row older than <paramref name="staleAfter"/> belongs to a message that was lost (its
    /// handler never ran), so it is taken over with its ETag: only one of several racing events wins it.
    /// </summary>
    /// <returns>The marker when this call must enqueue; null when a fresh one already stands for the burst.</returns>
    internal async Task<Versioned<string>?> TryMarkAsync(string integrationId, string table, string sysId, DateTimeOffset now, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        var client = await _tables.GetAsync(Table.PendingTicketEvents, cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(integrationId, RowKeyFor(table, sysId)) { ["MarkedAt"] = now };
        try
        {
            var added = await client.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return new Versioned<string>(entity.RowKey, added.Headers.ETag ?? default);
        }
        catch (RequestFailedException e) when (e.Status == TableErrors.Conflict)
        {
        }

        var existing = await client.GetEntityIfExistsAsync<TableEntity>(integrationId, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!existing.HasValue)
        {
            // Cleared between our insert and this read: the handler is reading now, and may have read before our change.
            return await TryMarkAsync(integrationId, table, sysId, now, staleAfter, cancellationToken).ConfigureAwait(false);
        }

        if (existing.Value!.GetDateTimeOffset("MarkedAt") is { } markedAt && now - markedAt < staleAfter)
        {
            return null;
        }

        try
        {
            var replaced = await client.UpdateEntityAsync(entity, existing.Value.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return new Versioned<string>(entity.RowKey, replaced.Headers.ETag ?? default);
        }
        catch (RequestFailedException e) when (e.Status is TableErrors.PreconditionFailed or TableErrors.NotFound)
        {
            // Another event took it over (or the handler cleared it): that one enqueues.
            return null;
        }
    }

    /// <summary>Removes the marker this call wrote, if it is still that one (its message could not be sent).</summary>
    internal async Task UnmarkAsync(string integrationId, Versioned<string> marker, CancellationToken cancellationToken)
    {
        var client = await _tables.GetAsync(Table.PendingTicketEvents, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.DeleteEntityAsync(integrationId, marker.Value, marker.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is TableErrors.PreconditionFailed or TableErrors.NotFound)
        {
        }
    }

    /// <summary>Removes the marker whatever it is: the next event enqueues again.</summary>
    internal async Task ClearAsync(string integrationId, string table, string sysId, CancellationToken cancellationToken)
    {
        var client = await _tables.GetAsync(Table.PendingTicketEvents, cancellationToken).ConfigureAwait(false);
        await client.DeleteEntityAsync(integrationId, RowKeyFor(table, sysId), ETag.All, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes every marker of a deleted integration. Its queued messages still arrive and do nothing (the worker finds
    /// no integration), so nothing would ever clear these rows otherwise.
    /// </summary>
    /// <returns>How many rows were removed.</returns>
    internal async Task<int> ClearAllAsync(string integrationId, CancellationToken cancellationToken)
    {
        var client = await _tables.GetAsync(Table.PendingTicketEvents, cancellationToken).ConfigureAwait(false);
        var removed = 0;
        var rows = client.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {integrationId}"), select: ["RowKey"], cancellationToken: cancellationToken);
        await foreach (var row in rows.ConfigureAwait(false))
        {
            // One by one rather than in a transaction: a worker clearing a row meanwhile must not fail the others.
            await client.DeleteEntityAsync(integrationId, row.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
            removed++;
        }

        return removed;
    }

    private static string RowKeyFor(string table, string sysId) => $"{table}-{sysId}";
}
