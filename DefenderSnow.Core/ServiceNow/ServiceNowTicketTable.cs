namespace DefenderSnow.Core.ServiceNow;

/// <summary>What DefenderSnow knows about one ticket table.</summary>
public sealed record ServiceNowTicketTable
{
    public required string Name { get; init; }

    /// <summary>Prefix of the ticket number (<c>INC</c>, <c>PRB</c>, <c>CHG</c>), followed by 7 digits.</summary>
    public required string NumberPrefix { get; init; }

    /// <summary>
    /// The <c>sys_user</c> reference that plays the caller's part: <c>caller_id</c> on incident,
    /// <c>requested_by</c> on change_request, <c>opened_by</c> on problem (which has no caller field).
    /// </summary>
    public required string CallerField { get; init; }

    /// <summary>The state a new ticket starts in.</summary>
    public required string InitialState { get; init; }

    public required IReadOnlyList<ServiceNowTicketState> States { get; init; }

    /// <summary>
    /// What ends a ticket as canceled: incident and change_request have a Canceled state; problem has none, so it is
    /// closed with resolution code <c>canceled</c> (ServiceNow's problem state model).
    /// </summary>
    public required IReadOnlyDictionary<string, string> CancelFields { get; init; }

    /// <summary>How a ticket is resolved when Defender confirms its fix (see <see cref="ServiceNowTicketTables"/>).</summary>
    public required ServiceNowResolution Resolution { get; init; }

    /// <summary>The field that carries the reason of a cancel, when the state model asks for one.</summary>
    public string? CancelNotesField { get; init; }

    /// <summary>What reopens a resolved ticket (its open state); <c>null</c> where the state model has no way back (change request).</summary>
    public IReadOnlyDictionary<string, string>? ReopenFields { get; init; }

    /// <summary>Fields that exist on the table (the ones DefenderSnow reads or writes, plus the system fields).</summary>
    public required IReadOnlySet<string> Fields { get; init; }

    /// <summary>The state with value <paramref name="value"/>; a value the catalogue does not know (an older state model) is named "Unknown (value)" and is not terminal.</summary>
    public ServiceNowTicketState DescribeState(string? value)
    {
        var found = States.FirstOrDefault(s => s.Value == value);
        return found ?? new ServiceNowTicketState(value ?? string.Empty, $"Unknown ({value})", false);
    }

    public bool HasField(string field) => Fields.Contains(field);

    /// <summary>The browser link of a ticket, for example <c>https://contoso.service-now.com/incident.do?sys_id=…</c>.</summary>
    public Uri LinkFor(Uri instanceUrl, string sysId) => new(instanceUrl, $"{Name}.do?sys_id={Uri.EscapeDataString(sysId)}");
}
