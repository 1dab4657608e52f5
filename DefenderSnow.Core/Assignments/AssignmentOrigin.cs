namespace DefenderSnow.Core.Assignments;

/// <summary>An assignment an automation rule opens: the rule, and the ticket of the finding's previous assignment, if any.</summary>
internal sealed record AssignmentOrigin(string RuleId, string? FollowsTicket);
