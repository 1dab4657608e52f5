namespace DefenderSnow.Core.ServiceNow;

/// <summary>One value of a ticket table's <c>state</c> field; <see cref="End"/> says how a terminal one ended the ticket.</summary>
public sealed record ServiceNowTicketState(string Value, string Name, bool IsTerminal, ServiceNowTicketEnd? End = null);

/// <summary>How a terminal state ended a ticket, as the integration's mapping says (never guessed from a label).</summary>
public enum ServiceNowTicketEnd
{
    Resolved,
    Closed,
    Canceled,
}
