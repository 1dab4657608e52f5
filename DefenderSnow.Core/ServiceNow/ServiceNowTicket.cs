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

    /// <summary>
    /// <c>correlation_id</c>. Any ServiceNow user who may edit the ticket can write it, so it is untrusted input:
    /// <see cref="Assignments.AssignmentId.IsWellFormed"/> is checked before it names anything.
    /// </summary>
    public string? CorrelationId { get; init; }

    /// <summary><c>correlation_display</c>: <see cref="ServiceNowTicketTables.CorrelationDisplay"/> on ours, writable by users like the id.</summary>
    public string? CorrelationDisplay { get; init; }

    /// <summary>
    /// <c>sys_created_by</c>: the user name (not a sys_id) of whoever created the ticket, stamped by the instance; the
    /// Table API's own examples show it so (GET /now/table/{tableName}, "sys_created_by": "glide.maint":
    /// https://www.servicenow.com/docs/r/api-reference/rest-apis/c_TableAPI.html). A ticket a ServiceNow user made look
    /// like ours still names that user, unless the instance lets non-admins write system fields through the Table API
    /// (<c>glide.rest.table_api.admin_only_sys_fields</c> false, its default: see SECURITY.md).
    /// </summary>
    public string? CreatedBy { get; init; }

    public required DateTimeOffset CreatedOn { get; init; }

    /// <summary><c>sys_updated_on</c>: UTC, whole seconds.</summary>
    public required DateTimeOffset UpdatedOn { get; init; }

    /// <summary><c>sys_mod_count</c>: grows with every update, so two updates in one second are told apart.</summary>
    public required int ModCount { get; init; }

    /// <summary>The ticket in the ServiceNow UI.</summary>
    public required Uri Link { get; init; }
}
