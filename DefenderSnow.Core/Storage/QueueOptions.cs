using System.ComponentModel.DataAnnotations;

namespace DefenderSnow.Core.Storage;

/// <summary>
/// Settings under <c>Queues</c>: the queue names. The queue-triggered functions bind to the same settings
/// (<c>%Queues:SyncIntegrations%</c>), so sender and trigger cannot disagree.
/// </summary>
public sealed class QueueOptions
{
    public const string SectionName = "Queues";

    // Storage queue names: 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.
    private const string QueueNamePattern = "^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$";

    [RegularExpression(QueueNamePattern, ErrorMessage = "Queues:SyncIntegrations must be a queue name: 3-63 lower-case letters, digits and single hyphens.")]
    public string SyncIntegrations { get; set; } = "sync-integrations";

    [RegularExpression(QueueNamePattern, ErrorMessage = "Queues:IntegrationDeletions must be a queue name: 3-63 lower-case letters, digits and single hyphens.")]
    public string IntegrationDeletions { get; set; } = "integration-deletions";

    [RegularExpression(QueueNamePattern, ErrorMessage = "Queues:TicketEvents must be a queue name: 3-63 lower-case letters, digits and single hyphens.")]
    public string TicketEvents { get; set; } = "ticket-events";

    public string NameOf(WorkQueue queue) => queue switch
    {
        WorkQueue.SyncIntegrations => SyncIntegrations,
        WorkQueue.IntegrationDeletions => IntegrationDeletions,
        WorkQueue.TicketEvents => TicketEvents,
        _ => throw new ArgumentOutOfRangeException(nameof(queue), queue, null),
    };
}
