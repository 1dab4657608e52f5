using System.Diagnostics.CodeAnalysis;

namespace DefenderSnow.Core.Storage;

/// <summary>The Storage queues of the design; their names are settings (<see cref="QueueOptions"/>).</summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It names one of the Storage queues of the design; it is not a collection type.")]
public enum WorkQueue
{
    /// <summary>One message per integration per sync run, handled by <c>SyncIntegration</c>.</summary>
    SyncIntegrations,

    /// <summary>One message per unfinished integration delete, handled by <c>CompleteIntegrationDeletion</c>.</summary>
    IntegrationDeletions,

    /// <summary>One message per burst of ServiceNow ticket events for one ticket, handled by <c>ApplyTicketEvent</c>.</summary>
    TicketEvents,
}
