using System.Collections.Concurrent;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Storage;

/// <summary>
/// Hands out the app's <see cref="QueueClient"/>s, creating each queue once per process on first use,
/// as <see cref="TableClientProvider"/> does for tables.
/// </summary>
public sealed class QueueClientProvider
{
    private readonly QueueServiceClient _service;
    private readonly QueueOptions _options;
    private readonly ConcurrentDictionary<WorkQueue, Lazy<Task<QueueClient>>> _queues = new();

    public QueueClientProvider(QueueServiceClient service, IOptions<QueueOptions> options)
    {
        _service = service;
        _options = options.Value;
    }

    public Task<QueueClient> GetAsync(WorkQueue queue, CancellationToken cancellationToken)
    {
        var lazy = _queues.GetOrAdd(queue, q => new Lazy<Task<QueueClient>>(() => CreateAsync(q)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            _queues.TryRemove(new KeyValuePair<WorkQueue, Lazy<Task<QueueClient>>>(queue, lazy));
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The poison queue the Functions host moves a queue's failed messages to: its name with <c>-poison</c>
    /// (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger#poison-messages).
    /// </summary>
    public async Task<QueueClient> GetPoisonAsync(WorkQueue queue, CancellationToken cancellationToken)
    {
        var client = _service.GetQueueClient(_options.NameOf(queue) + "-poison");
        await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return client;
    }

    private async Task<QueueClient> CreateAsync(WorkQueue queue)
    {
        var client = _service.GetQueueClient(_options.NameOf(queue));
        // Not cancellable on purpose: several callers share this one creation.
        await client.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        return client;
    }
}
