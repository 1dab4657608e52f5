namespace DefenderSnow.Core.Assignments;

/// <summary>
/// An assignment an automation rule opens: the rule, the ticket of the finding's previous assignment if any, and, for a
/// rule that groups per recommendation, the ticket it shares with the other resources of its group. <see cref="ConfigurationItem"/>
/// is the sys_id of the resource's <c>cmdb_ci</c> record, looked up by the rule's evaluation for all its findings at once.
/// </summary>
internal sealed record AssignmentOrigin(string RuleId, string? FollowsTicket, TicketGroup? Group = null, string? ConfigurationItem = null);

/// <summary>
/// One ticket for several assignments: its correlation id (<see cref="Id"/>, shaped like an assignment id) and the texts
/// that list all the group's resources. Whichever member opens the ticket writes them; the others adopt it.
/// </summary>
internal sealed record TicketGroup(string Id, string ShortDescription, string Description);
