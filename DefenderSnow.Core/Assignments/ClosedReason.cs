namespace DefenderSnow.Core.Assignments;

public enum ClosedReason
{
    TicketResolved,
    TicketClosed,
    TicketCanceled,
    TicketDeleted,
    /// <summary>Deleted through the API; the ticket stays in ServiceNow.</summary>
    Deleted,
    IntegrationDeleted,
    /// <summary>Defender reports the finding Healthy or NotApplicable: the fix was confirmed.</summary>
    ResourceHealthy,
    /// <summary>Defender no longer reports the finding at all: the resource is gone.</summary>
    ResourceRemoved,
}
