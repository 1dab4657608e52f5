namespace DefenderSnow.Core.Findings;

/// <summary>One recommendation's state on one resource, as read in bulk for a subscription.</summary>
/// <param name="SubscriptionId">The subscription GUID the finding was read from (lower case).</param>
/// <param name="ResourceId">
/// The scope the assessment lives under: what governance assignments are addressed by, also for multicloud resources
/// below a security connector.
/// </param>
/// <param name="ResourceType">The resource's type from its id (<c>Microsoft.Compute/virtualMachines</c>, nested types joined by '/').</param>
/// <param name="AssessmentName">The recommendation's key (the assessment's name, shared with its metadata).</param>
/// <param name="DisplayName">The recommendation's display name, when Defender gave one.</param>
/// <param name="Severity">
/// The recommendation's severity from its metadata (<c>Low</c>, <c>Medium</c>, <c>High</c>, <c>Critical</c>, or a value
/// DefenderSnow does not know as Defender wrote it, which <see cref="FindingSeverity"/> ranks highest), when given.
/// </param>
/// <param name="Risk">Defender's risk level, risk factors and attack path count, when Defender returned them.</param>
/// <param name="StatusCause">Why the status is what it is (<c>Exempt</c>, <c>OffByPolicy</c>…), when Defender said.</param>
public sealed record Finding(
    string SubscriptionId,
    string ResourceId,
    string ResourceType,
    string AssessmentName,
    string? DisplayName,
    FindingStatus Status,
    string? Severity,
    Defender.AssessmentRisk? Risk = null,
    string? StatusCause = null);
