using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Assignments;

/// <inheritdoc />
internal sealed class AssignmentStore : IAssignmentStore
{
    private static readonly string Closed = AssignmentStatus.Closed.ToString();
    private static readonly string[] KindOnly = [nameof(GroupEntity.Kind)];
    private readonly TableClientProvider _tables;
    private readonly ContinuationTokenCodec _continuationTokens;

    public AssignmentStore(TableClientProvider tables, ContinuationTokenCodec continuationTokens)
    {
        _tables = tables;
        _continuationTokens = continuationTokens;
    }

    public async Task<Versioned<Assignment>> AddAsync(Assignment assignment, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Assignments, cancellationToken).ConfigureAwait(false);
        var entity = AssignmentEntity.From(assignment);
        var finding = new FindingEntity { PartitionKey = assignment.IntegrationId, RowKey = assignment.FindingKey, AssignmentId = assignment.Id };

        // The lookup lives in another partition, so it cannot join the transaction: it goes first, so that no
        // assignment is ever without it, and it is taken back when the transaction fails.
        var lookup = AssignmentLookupEntity.For(assignment);
        try
        {
            await table.AddEntityAsync(lookup, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == TableErrors.Conflict)
        {
            throw new ConflictException($"Assignment '{assignment.Id}' already exists.", e);
        }

        try
        {
            List<TableTransactionAction> actions =
            [
                new(TableTransactionActionType.Add, entity),
                new(TableTransactionActionType.Add, finding),
            ];
            if (assignment.GroupId is { } groupId)
            {
                // Every member writes it (an upsert), so the group's row exists as soon as any member does.
                actions.Add(new(TableTransactionActionType.UpsertReplace, GroupEntity.For(assignment.IntegrationId, groupId)));
            }

            var response = await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            return new Versioned<Assignment>(assignment, response.Value[0].Headers.ETag ?? default);
        }
        catch (Exception e)
        {
            await RemoveLookupAsync(table, lookup).ConfigureAwait(false);
            if (e is TableTransactionFailedException { Status: TableErrors.Conflict } failed)
            {
                if (failed.FailedTransactionActionIndex == 1)
                {
                    var existing = await table.GetEntityIfExistsAsync<FindingEntity>(assignment.IntegrationId, assignment.FindingKey, cancellationToken: cancellationToken).ConfigureAwait(false);
                    throw new FindingAlreadyAssignedException(existing.HasValue ? existing.Value!.AssignmentId : "unknown", e);
                }

                throw new ConflictException($"Assignment '{assignment.Id}' already exists.", e);
            }

            throw;
        }
    }

    public async Task<Versioned<Assignment>?> FindAsync(string assignmentId, CancellationToken cancellationToken)
    {
        if (!AssignmentId.IsWellFormed(assignmentId))
        {
            return null;
        }

        var table = await _tables.GetAsync(Table.Assignments, cancellationToken).ConfigureAwait(false);
        var lookup = await table.GetEntityIfExistsAsync<AssignmentLookupEntity>(AssignmentLookupEntity.PartitionFor(assignmentId), assignmentId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return lookup.HasValue ? await GetAsync(lookup.Value!.IntegrationId, assignmentId, cancellationToken).ConfigureAwait(false) : null;
    }

    public async Task<Versioned<Assignment>?> GetAsync(string integrationId, string assignmentId, CancellationToken cancellationToken)
    {
        if (assignmentId.StartsWith(FindingKey.RowKeyPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var table = await _tables.GetAsync(Table.Assignments, cancellationToken).ConfigureAwait(false);
        var response = await table.GetEntityIfExistsAsync<AssignmentEntity>(integrationId, assignmentId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? new Versioned<Assignment>(response.Value!.ToModel(), response.Value.ETag) : null;
    }

    public async Task<Versioned<Assignment>?> FindLiveAsync(string integrationId, string assessmentName, string resourceId, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Assignments, cancellationToken).ConfigureAwait(false);
        var finding = await table.GetEntityIfExistsAsync<FindingEntity>(integrationId, FindingKey.For(assessmentName, resourceId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return finding.HasValue ? await GetAsync(integrationId, finding.Value!.AssignmentId, cancellationToken).ConfigureAwait(false) : null;
    }

    public async Task<Versioned<Assignment>> UpdateAsync(Versioned<Assignment> assignment, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Assignments, cancellationToken).ConfigureAwait(false);
        var entity = AssignmentEntity.From(assignment.Value);
        try
        {
            var response = await table.UpdateEntityAsync(entity, assignment.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return assignment with { ETag = response.Headers.ETag ?? default };
        }
        catch (RequestFailedException e) when (e.Status is TableErrors.PreconditionFailed or TableErrors.NotFound)
        {
            throw new ConcurrencyException("Assignment", assignment.Value.Id, e);
        }
    }

    public async Task<Versioned<Assignment>> CloseAsync(Versioned<Assignment> assignment, ClosedReason reason, DateTimeOffset closedAt, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Assignments, cancellationToken).ConfigureAwait(false);
        var closed = assignment.Value with { Status = AssignmentStatus.Closed, ClosedReason = reason, ClosedAt = closedAt, ClaimedUntil = null, UpdatedAt = closedAt };
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.UpdateReplace, AssignmentEntity.From(closed), assignment.ETag),
        };

        // Free the finding only if it still points here; an older closed assignment must not free a newer one's.
        var finding = await table.GetEntityIfExistsAsync<FindingEntity>(closed.IntegrationId, closed.FindingKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (finding.HasValue && finding.Value!.AssignmentId == closed.Id)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, finding.Value, finding.Value.ETag));
        }

        try
        {
            var response = await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            return new Versioned<Assignment>(closed, response.Value[0].Headers.ETag ?? default);
        }
        catch (TableTransactionFailedException e) when (e.Status is TableErrors.PreconditionFailed or TableErrors.NotFound)
        {
            throw new ConcurrencyException("Assignment", closed.Id, e);
        }
    }

    public async Task<ResultPage<Assignment>> ListAsync(AssignmentQuery query, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var filter = BuildFilter(query);
        // A token is good for the listing it came from only: one filter's token cannot page another's.
        var listing = "assignments|" + StorageKeys.Hash(filter);
        var storageToken = await _continuationTokens.UnprotectAsync(continuationToken, listing, cancellationToken).ConfigureAwait(false);
        var table = await _tables.GetAsync(Table.Assignments, cancellationToken).ConfigureAwait(false);
        await foreach (var page in table.QueryAsync<AssignmentEntity>(filter, pageSize, cancellationToken: cancellationToken)
            .AsPages(storageToken, pageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var next = await _continuationTokens.ProtectAsync(page.ContinuationToken, listing, cancellationToken).ConfigureAwait(false);
            return new ResultPage<Assignment>(page.Values.Select(e => e.ToModel()).ToList(), next);
        }

        return new ResultPage<Assignment>([], null);
    }

    public IAsyncEnumerable<Versioned<Assignment>> ListLiveAsync(string integrationId, CancellationToken cancellationToken) =>
        ListLiveAsync(integrationId, TablePageSize.Default, cancellationToken);

    public async IAsyncEnumerable<Versioned<Assignment>> ListLiveAsync(string integrationId, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, TablePageSize.Max);
        var table = await _tables.GetAsync(Table.Assignments, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {integrationId} and Kind eq {AssignmentEntity.KindValue} and Status ne {Closed}");
        await foreach (var entity in table.QueryAsync<AssignmentEntity>(filter, pageSize, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return new Versioned<Assignment>(entity.ToModel(), entity.ETag);
        }
    }

    public async Task<IReadOnlyList<Versioned<Assignment>>> ListLiveGroupAsync(string integrationId, string groupId, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Assignments, cancellationToken).ConfigureAwait(false);
        var members = new List<Versioned<Assignment>>();
        if (!(await table.GetEntityIfExistsAsync<GroupEntity>(integrationId, GroupEntity.RowKeyFor(groupId), KindOnly, cancellationToken).ConfigureAwait(false)).HasValue)
        {
            return members;
        }

        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {integrationId} and Kind eq {AssignmentEntity.KindValue} and GroupId eq {groupId} and Status ne {Closed}");
        await foreach (var entity in table.QueryAsync<AssignmentEntity>(filter, TablePageSize.Default, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            members.Add(new Versioned<Assignment>(entity.ToModel(), entity.ETag));
        }

        return members;
    }

    public async IAsyncEnumerable<Assignment> ListClosedAsync(string integrationId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Assignments, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {integrationId} and Kind eq {AssignmentEntity.KindValue} and Status eq {Closed}");
        await foreach (var entity in table.QueryAsync<AssignmentEntity>(filter, TablePageSize.Default, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return entity.ToModel();
        }
    }

    /// <summary>Compensation runs even when the request was cancelled: a lookup without its assignment is clutter.</summary>
    private static async Task RemoveLookupAsync(TableClient table, AssignmentLookupEntity lookup)
    {
        try
        {
            await table.DeleteEntityAsync(lookup.PartitionKey, lookup.RowKey, ETag.All, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException)
        {
            // A lookup row that points at nothing is harmless: a read through it finds no assignment.
        }
    }

    public async Task<int> CountLiveAsync(string integrationId, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Assignments, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {integrationId} and Kind eq {AssignmentEntity.KindValue} and Status ne {Closed}");
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, 1000, ["RowKey"], cancellationToken).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }

    private static string BuildFilter(AssignmentQuery query)
    {
        var clauses = new List<string>
        {
            TableClient.CreateQueryFilter($"PartitionKey eq {query.IntegrationId} and Kind eq {AssignmentEntity.KindValue}"),
        };
        if (query.AssessmentName is { } assessmentName)
        {
            clauses.Add(TableClient.CreateQueryFilter($"AssessmentName eq {assessmentName}"));
        }

        if (query.ResourceId is { } resourceId)
        {
            clauses.Add(TableClient.CreateQueryFilter($"ResourceId eq {resourceId}"));
        }

        if (query.Status is { } status)
        {
            clauses.Add(TableClient.CreateQueryFilter($"Status eq {status.ToString()}"));
        }

        return string.Join(" and ", clauses.Select(c => $"({c})"));
    }
}
