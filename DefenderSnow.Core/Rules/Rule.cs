using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Rules;

/// <summary>
/// An automation rule of an integration: which unhealthy findings it opens tickets for (its <see cref="Conditions"/>),
/// and how (ticket type, owner, caller, due date, grouping). Of all rules of an integration matching a finding, the one
/// with the lowest <see cref="Priority"/> wins.
/// </summary>
public sealed record Rule
{
    public required string Id { get; init; }

    public required string IntegrationId { get; init; }

    public required string Name { get; init; }

    /// <summary>Lower runs first; ties are broken by creation time, then id.</summary>
    public required int Priority { get; init; }

    public required RuleConditions Conditions { get; init; }

    /// <summary>The ServiceNow table: <c>incident</c>, <c>problem</c> or <c>change_request</c>.</summary>
    public required string TicketType { get; init; }

    public required RuleOwner Owner { get; init; }

    /// <summary>The ServiceNow user (e-mail or user name) who opens the tickets.</summary>
    public required string Caller { get; init; }

    /// <summary>The days its tickets get; <c>null</c> to take them (and the grace period) from the integration's SLA matrix.</summary>
    public int? RemediationTimeframeDays { get; init; }

    public bool GracePeriod { get; init; }

    public EmailNotifications EmailNotifications { get; init; } = new(NotifyOwner: true, NotifyManager: false);

    public RuleGrouping Grouping { get; init; } = RuleGrouping.PerResource;

    /// <summary>At most this many tickets per run, so a new rule over a large estate cannot flood ServiceNow.</summary>
    public int MaxTicketsPerRun { get; init; } = DefaultMaxTicketsPerRun;

    public required DateTimeOffset CreatedAt { get; init; }

    public string? CreatedBy { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public string? UpdatedBy { get; init; }

    public const int DefaultMaxTicketsPerRun = 100;
}

/// <summary>Every condition given must hold; one left out (null or empty) holds for every finding.</summary>
public sealed record RuleConditions
{
    /// <summary>Recommendations (assessment names) the rule covers; empty covers all.</summary>
    public IReadOnlyList<string> AssessmentNames { get; init; } = [];

    /// <summary>
    /// The least severity covered (<c>Low</c> &lt; <c>Medium</c> &lt; <c>High</c> &lt; <c>Critical</c>). A finding
    /// whose severity Defender gave but DefenderSnow does not know meets every minimum (it is never ranked last); one
    /// without a severity meets none.
    /// </summary>
    public string? MinimumSeverity { get; init; }

    /// <summary>The least Defender risk level covered (same order); a finding without a known risk level meets none.</summary>
    public string? MinimumRiskLevel { get; init; }

    /// <summary>A risk factor the finding must carry (such as <c>Exposure to the Internet</c>), compared without case.</summary>
    public string? RiskFactor { get; init; }

    /// <summary>An ARM resource type such as <c>Microsoft.Compute/virtualMachines</c>, compared without case.</summary>
    public string? ResourceType { get; init; }

    /// <summary>An ARM id at or within the integration's scope (a subscription, a resource group, a resource).</summary>
    public string? Scope { get; init; }

    public RuleTag? Tag { get; init; }
}

/// <summary>A resource tag: the name compares without case (as Resource Manager does), the value exactly.</summary>
public sealed record RuleTag(string Name, string Value);

/// <summary>
/// Who owns the tickets: a fixed ServiceNow <see cref="User"/>, or the e-mail in the resource tag <see cref="TagName"/>
/// when it names an active ServiceNow user with an e-mail, else <see cref="FallbackUser"/>.
/// </summary>
public sealed record RuleOwner(RuleOwnerSource Source, string? User = null, string? TagName = null, string? FallbackUser = null);

public enum RuleOwnerSource
{
    [ContractName("user")]
    User,
    [ContractName("resourceTag")]
    ResourceTag,
}

public enum RuleGrouping
{
    /// <summary>One ticket per unhealthy resource.</summary>
    [ContractName("perResource")]
    PerResource,

    /// <summary>One ticket per recommendation and rule, listing its resources; one governance assignment per resource.</summary>
    [ContractName("perRecommendation")]
    PerRecommendation,
}
