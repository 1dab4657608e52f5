using System.Text.Json;

namespace DefenderSnow.Core.Storage;

/// <inheritdoc />
internal sealed class WorkQueueSender : IWorkQueueSender
{
    private readonly QueueClientProvider _queues;

    public WorkQueueSender(QueueClientProvider queues)
    {
        _queues = queues;
    }

    public async Task SendAsync<T>(WorkQueue queue, T message, CancellationToken cancellationToken, TimeSpan? delay = null)
    {
        var client = await _queues.GetAsync(queue, cancellationToken).ConfigureAwait(false);
        await client.SendMessageAsync(JsonSerializer.Serialize(message, WorkQueueJson.Options), delay, timeToLive: null, cancellationToken).ConfigureAwait(false);
    }
}
