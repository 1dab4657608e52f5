using DefenderSnow.Core.ServiceNow.Instance;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// How DefenderSnow ends and reopens the tickets of one table on this integration's instance, resolved to the
/// instance's own values when the integration was created or its ticket types changed, and checked again by each full
/// pass (<see cref="TicketTypeResolver"/>). <see cref="States"/> are the table's states as read (value and label), or
/// the out-of-box ones when the instance would not say; <see cref="Checked"/> says which.
/// </summary>
public sealed record TicketTypeMapping
{
    public required string Table { get; init; }

    /// <summary>The state a confirmed fix sets (incident Resolved; change request and security incident Closed).</summary>
    public required string ResolvedState { get; init; }

    /// <summary>The field that carries the close code (<c>close_code</c>, problem's <c>resolution_code</c>), if the table has one.</summary>
    public string? CloseCodeField { get; init; }

    /// <summary>The close code sent with <see cref="ResolvedState"/> (incident <c>Solution provided</c>).</summary>
    public string? CloseCode { get; init; }

    /// <summary>
    /// The close code sent when DefenderSnow ends a ticket because its resource or assessment disappeared (incident
    /// <c>No resolution provided</c>): nothing was fixed. <c>null</c>: <see cref="CloseCode"/> is sent.
    /// </summary>
    public string? RemovedCloseCode { get; init; }

    /// <summary>The field for the notes of a resolution (<c>close_notes</c>, problem's <c>fix_notes</c>).</summary>
    public string? NotesField { get; init; }

    /// <summary>The state a duplicate is canceled with.</summary>
    public required string CanceledState { get; init; }

    /// <summary>The close code a cancel needs, where the table has no canceled state of its own (problem: Closed with <c>canceled</c>).</summary>
    public string? CancelCode { get; init; }

    /// <summary>The open state a resolved ticket goes back to when it is reopened; <c>null</c> where the state model has none (change request).</summary>
    public string? ReopenState { get; init; }

    /// <summary>Further states that end a ticket (incident Closed), reported as <c>ticketClosed</c>.</summary>
    public IReadOnlyList<string> ClosedStates { get; init; } = [];

    /// <summary>The states a ticket may be resolved from (problem: Root Cause Analysis, Fix in Progress); empty: any open state.</summary>
    public IReadOnlyList<string> ResolveFrom { get; init; } = [];

    public IReadOnlyList<ServiceNowChoice> States { get; init; } = [];

    /// <summary>The table and the tables it extends, up to task, as sys_db_object said (empty: not read); a refresh need not read them again.</summary>
    public IReadOnlyList<string> Lineage { get; init; } = [];

    /// <summary>Whether the values were checked against the instance's choices (false: the user may not read them).</summary>
    public bool Checked { get; init; }

    /// <summary>Whether <paramref name="state"/> ends a ticket of this table.</summary>
    public bool IsTerminal(string state) => state == ResolvedState || state == CanceledState || ClosedStates.Contains(state);

    public string LabelOf(string? state) => States.FirstOrDefault(s => s.Value == state)?.Label ?? $"Unknown ({state})";
}

/// <summary>One entry of a request's <c>ticketTypes</c>: any member left out takes DefenderSnow's default for the table. States may be given by value or label.</summary>
public sealed record TicketTypeRequest(
    string? ResolvedState = null,
    string? CloseCode = null,
    string? CanceledState = null,
    string? ReopenState = null,
    IReadOnlyList<string?>? ClosedStates = null,
    IReadOnlyList<string?>? ResolveFrom = null,
    string? CloseCodeField = null,
    string? CancelCode = null,
    string? NotesField = null,
    string? RemovedCloseCode = null);
