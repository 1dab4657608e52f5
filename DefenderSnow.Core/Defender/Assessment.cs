namespace DefenderSnow.Core.Defender;

/// <summary>The state of one recommendation on one resource (<c>Microsoft.Security/assessments</c>).</summary>
/// <remarks>
/// <c>Id</c> is the assessment's ARM id (<c>{resourceId}/providers/Microsoft.Security/assessments/{name}</c>);
/// <c>Name</c> the recommendation's key, shared with its metadata; <c>ResourceId</c> the assessed resource
/// (<c>resourceDetails.id</c>); <c>ResourceSource</c> where it lives (<c>Azure</c>, <c>Aws</c>, <c>Gcp</c>…);
/// <c>AzurePortalUri</c> the recommendation's page in the portal, when Resource Manager returned links.
/// </remarks>
public sealed record Assessment(
    string Id,
    string Name,
    string ResourceId,
    string? ResourceSource,
    string? DisplayName,
    AssessmentStatus Status,
    IReadOnlyDictionary<string, string> AdditionalData,
    string? AzurePortalUri);

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
