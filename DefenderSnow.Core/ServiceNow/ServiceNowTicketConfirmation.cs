namespace DefenderSnow.Core.ServiceNow;

/// <summary>What a read of one ticket by its sys_id says about a ticket a bulk read did not return.</summary>
public enum ServiceNowTicketPresence
{
    /// <summary>The ticket came back with its fields: the bulk read missed it, and it is applied as read.</summary>
    Found,

    /// <summary>ServiceNow answered 404 No Record found: the one answer taken as proof that the ticket was deleted.</summary>
    Gone,

    /// <summary>403, or a record without its sys_id (field ACLs blank what the user may not read): it exists, or may, but cannot be read.</summary>
    Unreadable,
}

/// <param name="Presence">What the read showed.</param>
/// <param name="Ticket">The ticket when <see cref="ServiceNowTicketPresence.Found"/>.</param>
/// <param name="Reason">ServiceNow's reason when it is <see cref="ServiceNowTicketPresence.Unreadable"/>, one line.</param>
public sealed record ServiceNowTicketConfirmation(ServiceNowTicketPresence Presence, ServiceNowTicket? Ticket = null, string? Reason = null);
