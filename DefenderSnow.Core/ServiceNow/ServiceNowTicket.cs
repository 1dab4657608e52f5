namespace DefenderSnow.Core.ServiceNow;

/// <summary>A ticket as DefenderSnow sees it. Empty references are <c>null</c>.</summary>
public sealed record ServiceNowTicket
{
    public required string Table { get; init; }

    public required string SysId { get; init; }

    public required string Number { get; init; }

    /// <summary>The state with its value, name and whether it ends the ticket's life.</summary>
    public required ServiceNowTicketState State { get; init; }

    public string? ShortDescription { get; init; }

    public string? AssignedToSysId { get; init; }

    public string? AssignedToUserName { get; init; }

    public string? AssignedToEmail { get; init; }

    public string? AssignmentGroupSysId { get; init; }

    public string? CorrelationId { get; init; }

    public required DateTimeOffset CreatedOn { get; init; }

    /// <summary><c>sys_updated_on</c>: UTC, whole seconds.</summary>
    public required DateTimeOffset UpdatedOn { get; init; }

    /// <summary><c>sys_mod_count</c>: grows with every update, so two updates in one second are told apart.</summary>
    public required int ModCount { get; init; }

    /// <summary>The ticket in the ServiceNow UI.</summary>
    public required Uri Link { get; init; }
}
