using DefenderSnow.Core.Rules;
using DefenderSnow.Functions.Assignments;

namespace DefenderSnow.Functions.Rules;

/// <summary>The rule as the contract shows it; enums by their contract names (<see cref="Http.ApiJson"/>).</summary>
public sealed record RuleResponse(
    string Id,
    string IntegrationId,
    string Name,
    int Priority,
    RuleConditionsResponse Conditions,
    string TicketType,
    RuleOwnerResponse Owner,
    string Caller,
    int? RemediationTimeframeDays,
    bool GracePeriod,
    EmailNotificationsResponse EmailNotifications,
    RuleGrouping Grouping,
    int MaxTicketsPerRun,
    DateTimeOffset CreatedAt,
    string? CreatedBy,
    DateTimeOffset UpdatedAt,
    string? UpdatedBy)
{
    public static RuleResponse From(Rule r) => new(
        r.Id,
        r.IntegrationId,
        r.Name,
        r.Priority,
        new RuleConditionsResponse(
            r.Conditions.AssessmentNames,
            r.Conditions.MinimumSeverity,
            r.Conditions.ResourceType,
            r.Conditions.Scope,
            r.Conditions.Tag is { } tag ? new RuleTagResponse(tag.Name, tag.Value) : null,
            r.Conditions.MinimumRiskLevel,
            r.Conditions.RiskFactor),
        r.TicketType,
        new RuleOwnerResponse(r.Owner.Source, r.Owner.User, r.Owner.TagName, r.Owner.FallbackUser),
        r.Caller,
        r.RemediationTimeframeDays,
        r.GracePeriod,
        new EmailNotificationsResponse(r.EmailNotifications.NotifyOwner, r.EmailNotifications.NotifyManager),
        r.Grouping,
        r.MaxTicketsPerRun,
        r.CreatedAt,
        r.CreatedBy,
        r.UpdatedAt,
        r.UpdatedBy);
}

public sealed record RuleConditionsResponse(
    IReadOnlyList<string> AssessmentNames, string? MinimumSeverity, string? ResourceType, string? Scope, RuleTagResponse? Tag, string? MinimumRiskLevel, string? RiskFactor);

public sealed record RuleTagResponse(string Name, string Value);

public sealed record RuleOwnerResponse(RuleOwnerSource Source, string? User, string? TagName, string? FallbackUser);

/// <summary>What an evaluation opened, or would open in a dry run, and how many findings wait for a later run.</summary>
public sealed record RuleEvaluationResponse(string RuleId, bool DryRun, int Opened, int Waiting, IReadOnlyList<RuleTicketResponse> Tickets, IReadOnlyList<string> Errors)
{
    public static RuleEvaluationResponse From(RuleEvaluation e) => new(
        e.RuleId,
        e.DryRun,
        e.Tickets.Count,
        e.Waiting,
        e.Tickets.Select(t => new RuleTicketResponse(t.AssessmentName, t.ResourceId, t.Owner, t.AssignmentId, t.TicketNumber, t.FollowsTicket, t.Severity, t.RiskLevel)).ToList(),
        e.Errors);
}

public sealed record RuleTicketResponse(
    string AssessmentName, string ResourceId, string Owner, string? AssignmentId, string? TicketNumber, string? FollowsTicket, string? Severity, string? RiskLevel);
