namespace DefenderSnow.Core.Assignments;

/// <summary>Filters for listing one integration's assignments; null means "any".</summary>
public sealed record AssignmentQuery(
    string IntegrationId,
    string? AssessmentName = null,
    string? ResourceId = null,
    AssignmentStatus? Status = null);
