using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Storage;

/// <summary>
/// Reads a queue-triggered function's message. One that can never be handled (not JSON, or not the message's
/// shape) is copied to the queue's poison queue at once and logged once with its queue and id, instead of failing
/// every delivery: the host would deliver it <c>maxDequeueCount</c> times over minutes (each after the visibility
/// timeout) and then move it to the poison queue without a word from the app about why.
/// </summary>
public sealed partial class WorkQueueMessageReader
{
    private readonly QueueClientProvider _queues;
    private readonly ILogger<WorkQueueMessageReader> _logger;

    public WorkQueueMessageReader(QueueClientProvider queues, ILogger<WorkQueueMessageReader> logger)
    {
        _queues = queues;
        _logger = logger;
    }

    /// <returns>The message, or null when it was malformed and is now in the poison queue (the delivery completes).</returns>
    public async Task<T?> ReadAsync<T>(WorkQueue queue, QueueMessage message, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            return WorkQueueJson.Read<T>(message.MessageText);
        }
        catch (FormatException e)
        {
            // The same body the host would move there (its poison copy keeps the text; the client encodes it as the
            // trigger reads it). A redelivery after a crash here copies it again: a duplicate in the poison queue is
            // for an operator to read, never work that runs twice.
            var poison = await _queues.GetPoisonAsync(queue, cancellationToken).ConfigureAwait(false);
            await poison.SendMessageAsync(message.MessageText, cancellationToken).ConfigureAwait(false);
            LogMovedToPoison(_logger, message.MessageId, queue, poison.Name, e.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue message {MessageId} of {Queue} can never be handled and was moved to {PoisonQueue}: {Reason}")]
    private static partial void LogMovedToPoison(ILogger logger, string messageId, WorkQueue queue, string poisonQueue, string reason);
}
