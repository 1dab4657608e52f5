using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// Deletes an integration: marks it deleting, removes every live assignment (Defender's governance assignment,
/// then the assignment closed as <c>integrationDeleted</c>), then the secrets, the sync state, the rules and the
/// integration. Small deletes finish in the request; the rest goes on from <c>integration-deletions</c> in
/// batches, each message handing over to the next, pausing when Resource Manager stays throttled or down.
/// Every step can be repeated, so a redelivered message or a repeated delete finishes what another started.
/// </summary>
public sealed partial class IntegrationDeletion
{
    /// <summary>How late a chain's next message may be (a slow delivery, a batch that takes long) and still count as alive.</summary>
    private static readonly TimeSpan ChainMargin = TimeSpan.FromMinutes(5);

    private readonly IIntegrationStore _store;
    private readonly IAssignmentStore _assignments;
    private readonly IntegrationAssignmentRemoval _removal;
    private readonly IntegrationRemnants _remnants;
    private readonly IWorkQueueSender _queue;
    private readonly IOptions<IntegrationDeletionOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<IntegrationDeletion> _logger;

    public IntegrationDeletion(
        IIntegrationStore store,
        IAssignmentStore assignments,
        IntegrationAssignmentRemoval removal,
        IntegrationRemnants remnants,
        IWorkQueueSender queue,
        IOptions<IntegrationDeletionOptions> options,
        TimeProvider timeProvider,
        ILogger<IntegrationDeletion> logger)
    {
        _store = store;
        _assignments = assignments;
        _removal = removal;
        _remnants = remnants;
        _queue = queue;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <returns>Null when the delete finished; otherwise the integration, <c>deleting</c>, whose delete goes on in the background.</returns>
    public async Task<Integration?> StartAsync(Versioned<Integration> current, CancellationToken cancellationToken)
    {
        var id = current.Value.Id;
        var live = await _assignments.CountLiveAsync(id, cancellationToken).ConfigureAwait(false);
        current = await MarkAsync(current, live, chain: false, cancellationToken).ConfigureAwait(false);
        if (live <= _options.Value.InlineAssignments)
        {
            // One more than counted: when the batch runs out before its limit, nothing is left.
            var batch = await RemoveBatchAsync(current.Value, live + 1, cancellationToken).ConfigureAwait(false);
            if (batch.Exhausted)
            {
                await _remnants.RemoveAsync(id, cancellationToken).ConfigureAwait(false);
                return null;
            }

            live -= batch.Removed;
        }

        // A repeated DELETE while a background chain goes on (a small one was finished above, which leaves the chain
        // nothing to do): one chain does the work, the caller polls it. The claim is a conditional write, so of two
        // DELETEs that both found no chain, the one that loses sees the winner's.
        var claimed = ChainIsAlive(current.Value) ? null : await ClaimChainAsync(current, live, cancellationToken).ConfigureAwait(false);
        if (claimed is null)
        {
            LogChainAlreadyRunning(_logger, id);
            return (await _store.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? current).Value;
        }

        await _queue.SendAsync(WorkQueue.IntegrationDeletions, new IntegrationDeletionMessage(id, live), cancellationToken).ConfigureAwait(false);
        LogBackgroundDelete(_logger, id, live);
        var marked = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return (marked ?? current).Value;
    }

    /// <summary>Handles one <c>integration-deletions</c> message: one batch, then the next message or the end.</summary>
    public async Task ContinueAsync(IntegrationDeletionMessage message, CancellationToken cancellationToken)
    {
        var current = await _store.GetAsync(message.IntegrationId, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            // Finished by a repeated delete or an earlier delivery.
            return;
        }

        if (current.Value.DeletionStartedAt is null)
        {
            LogNotBeingDeleted(_logger, message.IntegrationId);
            return;
        }

        var (removed, paused, exhausted) = await RemoveBatchAsync(current.Value, _options.Value.BatchSize, cancellationToken).ConfigureAwait(false);
        if (exhausted)
        {
            await _remnants.RemoveAsync(message.IntegrationId, cancellationToken).ConfigureAwait(false);
            return;
        }

        // An estimate for people watching (a redelivered message counts a batch twice); the work itself never relies on it.
        var remaining = Math.Max(message.Remaining - removed, 1);
        await MarkAsync(current, remaining, chain: true, cancellationToken).ConfigureAwait(false);
        await _queue.SendAsync(
            WorkQueue.IntegrationDeletions,
            message with { Remaining = remaining },
            cancellationToken,
            paused ? _options.Value.RetryPause : null).ConfigureAwait(false);
        LogBatchRemoved(_logger, message.IntegrationId, removed, remaining, paused ? "; paused while Resource Manager recovers" : string.Empty);
    }

    /// <summary>
    /// A chain that handed over a batch within the longest a message can wait (the pause, plus a delivery's margin) is
    /// alive; after that it died (its message reached the poison queue), and the next DELETE starts a new one.
    /// </summary>
    private bool ChainIsAlive(Integration integration) =>
        integration.DeletionChainAt is { } at && _timeProvider.GetUtcNow() - at < _options.Value.RetryPause + ChainMargin;

    /// <returns>The integration with the chain claimed by this request; null when another request claimed it first.</returns>
    private async Task<Versioned<Integration>?> ClaimChainAsync(Versioned<Integration> current, int remaining, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            try
            {
                return await _store.UpdateAsync(current with { Value = current.Value with { DeletionChainAt = _timeProvider.GetUtcNow() } }, current.Value.Name, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyException)
            {
                current = await _store.GetAsync(current.Value.Id, cancellationToken).ConfigureAwait(false)
                    ?? throw new NotFoundException("Integration", current.Value.Id);
                if (ChainIsAlive(current.Value))
                {
                    return null;
                }
            }
        }

        // Kept changing without a chain showing up: mark it as ours all the same, a second chain only repeats idempotent steps.
        return await MarkAsync(current, remaining, chain: true, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="chain">Also records that the background chain is alive now.</param>
    private async Task<Versioned<Integration>> MarkAsync(Versioned<Integration> current, int remaining, bool chain, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var marked = current.Value with
            {
                DeletionStartedAt = current.Value.DeletionStartedAt ?? _timeProvider.GetUtcNow(),
                DeletionChainAt = chain ? _timeProvider.GetUtcNow() : current.Value.DeletionChainAt,
                Status = IntegrationStatus.Deleting,
                StatusDetail = remaining == 1 ? "1 assignment remains." : $"{remaining} assignments remain.",
            };
            try
            {
                return await _store.UpdateAsync(current with { Value = marked }, current.Value.Name, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyException) when (attempt < 5)
            {
                current = await _store.GetAsync(current.Value.Id, cancellationToken).ConfigureAwait(false)
                    ?? throw new NotFoundException("Integration", current.Value.Id);
            }
        }
    }

    /// <summary>
    /// Removes up to <paramref name="limit"/> live assignments, a few at a time: the pacing handler slows them down
    /// per subscription when Resource Manager throttles. The assignments of one shared ticket go one after another.
    /// </summary>
    /// <returns>How many were removed, whether Resource Manager stopped some (they stay live), and whether none is left.</returns>
    private async Task<(int Removed, bool Paused, bool Exhausted)> RemoveBatchAsync(Integration integration, int limit, CancellationToken cancellationToken)
    {
        var batch = new List<Versioned<Assignment>>();
        await foreach (var assignment in _assignments.ListLiveAsync(integration.Id, cancellationToken).ConfigureAwait(false))
        {
            if (batch.Count == limit)
            {
                break;
            }

            batch.Add(assignment);
        }

        var removed = 0;
        var paused = false;
        var tickets = new IntegrationAssignmentRemoval.Batch(integration);
        await Parallel.ForEachAsync(
            batch.GroupBy(a => a.Value.GroupId ?? a.Value.Id),
            new ParallelOptions { MaxDegreeOfParallelism = _options.Value.Parallelism, CancellationToken = cancellationToken },
            async (group, token) =>
            {
                foreach (var assignment in group)
                {
                    try
                    {
                        await _removal.RemoveAsync(tickets, assignment, token).ConfigureAwait(false);
                        Interlocked.Increment(ref removed);
                    }
                    catch (UpstreamUnreachableException e)
                    {
                        paused = true;
                        LogPaused(_logger, integration.Id, e.Message);
                    }
                }
            }).ConfigureAwait(false);
        return (removed, paused, !paused && batch.Count < limit);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Integration {IntegrationId} is already being deleted in the background; no second chain started")]
    private static partial void LogChainAlreadyRunning(ILogger logger, string integrationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Integration {IntegrationId} delete goes on in the background with {AssignmentCount} live assignments")]
    private static partial void LogBackgroundDelete(ILogger logger, string integrationId, int assignmentCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deletion message for integration {IntegrationId}, which is not being deleted; ignored")]
    private static partial void LogNotBeingDeleted(ILogger logger, string integrationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Integration {IntegrationId} delete removed {Removed} assignments, about {Remaining} remain{Paused}")]
    private static partial void LogBatchRemoved(ILogger logger, string integrationId, int removed, int remaining, string paused);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Integration {IntegrationId} delete paused: {Reason}")]
    private static partial void LogPaused(ILogger logger, string integrationId, string reason);
}
