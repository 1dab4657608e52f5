namespace DefenderSnow.Core.Rules;

/// <summary>What one rule opened (or, in a dry run, would open) in one evaluation, and what is left for later runs.</summary>
/// <param name="Waiting">Findings the rule matched beyond its <see cref="Rule.MaxTicketsPerRun"/> (or after a failure stopped it): the next run takes them.</param>
public sealed record RuleEvaluation(string RuleId, bool DryRun, IReadOnlyList<RuleTicket> Tickets, int Waiting, IReadOnlyList<string> Errors);

/// <summary>
/// One finding a rule opened a ticket for. <see cref="AssignmentId"/> and <see cref="TicketNumber"/> are null in a dry
/// run; <see cref="FollowsTicket"/> names the ticket of the finding's previous, closed assignment. <see cref="Severity"/> and
/// <see cref="RiskLevel"/> are the finding's, as Defender gave them (an unrecognized severity as written).
/// </summary>
public sealed record RuleTicket(
    string AssessmentName,
    string ResourceId,
    string Owner,
    string? AssignmentId,
    string? TicketNumber,
    string? FollowsTicket,
    string? Severity = null,
    string? RiskLevel = null)
{
    /// <summary>The sys_id of the resource's configuration item the ticket links (<c>cmdb_ci</c>); <c>null</c> when it has none or the ticket is shared.</summary>
    public string? ConfigurationItem { get; init; }

    /// <summary>The ticket is shared by a group of resources (per-recommendation grouping), so it links no configuration item.</summary>
    public bool Shared { get; init; }
}
