using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Assignments;

public enum ClosedReason
{
    [ContractName("ticketResolved")]
    TicketResolved,
    [ContractName("ticketClosed")]
    TicketClosed,
    [ContractName("ticketCanceled")]
    TicketCanceled,
    [ContractName("ticketDeleted")]
    TicketDeleted,
    /// <summary>Deleted through the API; the ticket stays in ServiceNow.</summary>
    [ContractName("deleted")]
    Deleted,
    [ContractName("integrationDeleted")]
    IntegrationDeleted,
    /// <summary>Defender reports the finding Healthy or NotApplicable: the fix was confirmed.</summary>
    [ContractName("resourceHealthy")]
    ResourceHealthy,
    /// <summary>Defender no longer reports the finding at all: the resource is gone.</summary>
    [ContractName("resourceRemoved")]
    ResourceRemoved,
}
