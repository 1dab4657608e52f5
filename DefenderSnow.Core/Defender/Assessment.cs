using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Defender;

/// <summary>The state of one recommendation on one resource (<c>Microsoft.Security/assessments</c>).</summary>
/// <remarks>
/// <c>Id</c> is the assessment's ARM id (<c>{resourceId}/providers/Microsoft.Security/assessments/{name}</c>);
/// <c>Name</c> the recommendation's key, shared with its metadata; <c>ResourceId</c> the assessed resource
/// (<c>resourceDetails.id</c>); <c>ResourceSource</c> where it lives (<c>Azure</c>, <c>Aws</c>, <c>Gcp</c>…);
/// <c>AzurePortalUri</c> the recommendation's page in the portal, when Resource Manager returned links; <c>Risk</c>
/// Defender's risk assessment, which api-version 2025-05-04 and later return and 2021-06-01 does not.
/// </remarks>
public sealed record Assessment(
    string Id,
    string Name,
    string ResourceId,
    string? ResourceSource,
    string? DisplayName,
    AssessmentStatus Status,
    IReadOnlyDictionary<string, string> AdditionalData,
    string? AzurePortalUri,
    AssessmentRisk? Risk = null);

/// <summary>
/// Defender's risk of one finding (<c>properties.risk</c> from api-version 2025-05-04:
/// specification/security/resource-manager/Microsoft.Security/stable/2025-05-04/assessments.json,
/// <c>SecurityAssessmentPropertiesBase.risk</c>). <c>Level</c> is as Defender wrote it (the spec's values are Low, Medium,
/// High and Critical, modelled as strings, so others may come); <c>AttackPaths</c> counts <c>attackPathsReferences</c>.
/// </summary>
public sealed record AssessmentRisk(string? Level, IReadOnlyList<string> Factors, int AttackPaths, bool? IsContextual);

/// <summary>A risk level in rising order (rules' <c>minimumRiskLevel</c> compares by it); the spec's <c>RiskLevel</c>.</summary>
public enum RiskLevel
{
    [ContractName("Low")]
    Low,
    [ContractName("Medium")]
    Medium,
    [ContractName("High")]
    High,
    [ContractName("Critical")]
    Critical,
}

/// <summary>
/// <c>Cause</c> is Defender's programmatic reason for the code, as written: <c>Exempt</c> (an exemption applies),
/// <c>OffByPolicy</c>, <c>VmNotReportingHeartbeat</c>… (the spec's <c>AssessmentStatus.cause</c> is a free string).
/// </summary>
public sealed record AssessmentStatus(
    AssessmentStatusCode Code,
    string? Cause,
    string? Description,
    DateTimeOffset? FirstEvaluationDate,
    DateTimeOffset? StatusChangeDate);

public enum AssessmentStatusCode
{
    Healthy,
    Unhealthy,
    NotApplicable,
}
