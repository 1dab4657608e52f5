namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// A ticket to open. <paramref name="Fields"/> are ServiceNow field names and string values (references as
/// sys_ids); every field must exist on the table. <c>correlation_id</c> and <c>correlation_display</c> are set
/// by the client and must not be listed. <paramref name="FollowsTicket"/>, the number of an earlier ticket of the same
/// finding, goes into <c>correlation_display</c> (<see cref="ServiceNowTicketTables.CorrelationDisplayFollowing"/>).
/// </summary>
public sealed record ServiceNowTicketRequest(string Table, string CorrelationId, IReadOnlyDictionary<string, string> Fields, string? FollowsTicket = null);
