namespace DefenderSnow.Core.ServiceNow;

/// <summary>One value of a ticket table's <c>state</c> field.</summary>
public sealed record ServiceNowTicketState(string Value, string Name, bool IsTerminal);
