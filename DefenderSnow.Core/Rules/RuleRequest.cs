using DefenderSnow.Core.Assignments;

namespace DefenderSnow.Core.Rules;

/// <summary>
/// The body of CreateRule and UpdateRule, as received: everything nullable, so validation can name every missing or
/// wrong field at once. On update, members left out keep their value; <c>conditions</c> and <c>owner</c> are replaced whole.
/// </summary>
public sealed record RuleRequest(
    string? Name = null,
    int? Priority = null,
    RuleConditionsRequest? Conditions = null,
    string? TicketType = null,
    RuleOwnerRequest? Owner = null,
    string? Caller = null,
    int? RemediationTimeframeDays = null,
    bool? GracePeriod = null,
    EmailNotificationsRequest? EmailNotifications = null,
    string? Grouping = null,
    int? MaxTicketsPerRun = null);

public sealed record RuleConditionsRequest(
    IReadOnlyList<string?>? AssessmentNames = null,
    string? MinimumSeverity = null,
    string? ResourceType = null,
    string? Scope = null,
    RuleTagRequest? Tag = null,
    string? MinimumRiskLevel = null,
    string? RiskFactor = null);

public sealed record RuleTagRequest(string? Name = null, string? Value = null);

/// <summary><c>source</c> is <c>user</c> (with <c>user</c>) or <c>resourceTag</c> (with <c>tagName</c> and <c>fallbackUser</c>).</summary>
public sealed record RuleOwnerRequest(string? Source = null, string? User = null, string? TagName = null, string? FallbackUser = null);

/// <summary>The body of an on-demand evaluation; <c>dryRun</c> may come in the query instead.</summary>
public sealed record EvaluateRuleRequest(bool? DryRun = null);
