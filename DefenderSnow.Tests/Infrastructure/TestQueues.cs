using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>
/// Delivers the messages of the app's Azurite queues to a queue-triggered function as the Functions host does:
/// a message handled without an exception is deleted; one that throws becomes visible again with its dequeue
/// count raised, and after <see cref="MaxDequeueCount"/> deliveries it moves to <c>{queue}-poison</c>.
/// </summary>
public sealed class TestQueues
{
    /// <summary>The host's default (host.json <c>extensions.queues.maxDequeueCount</c>).</summary>
    public const int MaxDequeueCount = 5;

    /// <summary>How often an empty-looking queue with invisible messages is polled again.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly QueueClientProvider _queues;

    public TestQueues(QueueClientProvider queues)
    {
        _queues = queues;
    }

    public async Task<IReadOnlyList<string>> PeekAsync(WorkQueue queue)
    {
        var client = await _queues.GetAsync(queue, CancellationToken.None);
        var messages = await client.PeekMessagesAsync(32);
        return messages.Value.Select(m => m.Body.ToString()).ToList();
    }

    public async Task<IReadOnlyList<string>> PoisonAsync(WorkQueue queue)
    {
        var client = await PoisonClientAsync(queue);
        if (!await client.ExistsAsync())
        {
            return [];
        }

        var messages = await client.PeekMessagesAsync(32);
        return messages.Value.Select(m => m.Body.ToString()).ToList();
    }

    /// <summary>Delivers one message, if there is one.</summary>
    /// <returns>False when the queue was empty.</returns>
    public async Task<bool> DeliverOneAsync(WorkQueue queue, Func<QueueMessage, Task> function)
    {
        var client = await _queues.GetAsync(queue, CancellationToken.None);
        var received = await client.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(5));
        if (received.Value.Length == 0)
        {
            return false;
        }

        var message = received.Value[0];
        try
        {
            await function(message);
        }
        catch (Exception)
        {
            if (message.DequeueCount >= MaxDequeueCount)
            {
                var poison = await PoisonClientAsync(queue);
                await poison.CreateIfNotExistsAsync();
                await poison.SendMessageAsync(message.Body);
                await client.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
            else
            {
                // Visible again at once, as with the host's default visibilityTimeout of zero.
                await client.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero);
            }

            return true;
        }

        await client.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        return true;
    }

    /// <summary>
    /// Delivers messages until the queue is empty, new ones included; a message sent with a delay is waited for,
    /// as the host polls for it.
    /// </summary>
    /// <returns>How many deliveries were made.</returns>
    public async Task<int> DrainAsync(WorkQueue queue, Func<QueueMessage, Task> function, int maxDeliveries = 1000)
    {
        var client = await _queues.GetAsync(queue, CancellationToken.None);
        var deliveries = 0;
        while (true)
        {
            if (await DeliverOneAsync(queue, function))
            {
                if (++deliveries >= maxDeliveries)
                {
                    throw new InvalidOperationException($"The queue still had messages after {maxDeliveries} deliveries.");
                }

                continue;
            }

            var properties = await client.GetPropertiesAsync();
            if (properties.Value.ApproximateMessagesCount == 0)
            {
                return deliveries;
            }

            await Task.Delay(PollInterval);
        }
    }

    private Task<QueueClient> PoisonClientAsync(WorkQueue queue) => _queues.GetPoisonAsync(queue, CancellationToken.None);
}
