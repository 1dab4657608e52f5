namespace DefenderSnow.Core.Storage;

/// <summary>Puts a message on one of the app's queues, JSON-encoded as the queue triggers read it.</summary>
public interface IWorkQueueSender
{
    Task SendAsync<T>(WorkQueue queue, T message, CancellationToken cancellationToken);
}
