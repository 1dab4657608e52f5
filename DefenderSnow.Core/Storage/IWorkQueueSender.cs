namespace DefenderSnow.Core.Storage;

/// <summary>Puts a message on one of the app's queues, JSON-encoded as the queue triggers read it.</summary>
public interface IWorkQueueSender
{
    /// <param name="queue">Which queue.</param>
    /// <param name="message">Serialized as camelCase JSON.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <param name="delay">Keeps the message invisible this long (a pause before work resumes).</param>
    Task SendAsync<T>(WorkQueue queue, T message, CancellationToken cancellationToken, TimeSpan? delay = null);
}
