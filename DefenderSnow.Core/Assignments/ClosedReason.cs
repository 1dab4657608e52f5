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
}
