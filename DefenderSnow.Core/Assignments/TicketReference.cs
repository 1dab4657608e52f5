namespace DefenderSnow.Core.Assignments;

/// <summary>
/// The ServiceNow ticket behind an assignment. <see cref="Table"/> is known from the start; the rest
/// once the ticket exists.
/// </summary>
public sealed record TicketReference(string Table, string? Number = null, string? SysId = null, string? Link = null, string? State = null);
