namespace DefenderSnow.Core.Defender;

// Resource Manager's JSON shapes, kept apart from the models callers see so that a quirk of the wire
// format (nesting under "properties", statuses as strings) stays in the client.

internal sealed record ArmResource<TProperties>(string? Id, string? Name, string? Type, TProperties? Properties);

internal sealed record ArmCollection<T>(IReadOnlyList<T>? Value, string? NextLink);

/// <summary>A resource as <c>Resources_List</c> returns it; only what rules need (its id and tags).</summary>
internal sealed record TaggedResourceWire(string? Id, string? Type, Dictionary<string, string>? Tags);

internal sealed record ArmErrorResponse(ArmErrorBody? Error);

internal sealed record ArmErrorBody(string? Code, string? Message);

internal sealed record GovernanceAssignmentBody(GovernanceAssignment Properties);

internal sealed record AssessmentWireProperties(
    AssessmentWireResourceDetails? ResourceDetails,
    string? DisplayName,
    AssessmentWireStatus? Status,
    Dictionary<string, string>? AdditionalData,
    AssessmentWireLinks? Links,
    AssessmentWireRisk? Risk = null);

/// <summary><c>properties.risk</c> of api-version 2025-05-04 (stable/2025-05-04/assessments.json); <c>paths</c> is not read.</summary>
internal sealed record AssessmentWireRisk(string? Level, List<string>? RiskFactors, List<string>? AttackPathsReferences, bool? IsContextualRisk);

internal sealed record AssessmentWireResourceDetails(string? Source, string? Id);

internal sealed record AssessmentWireStatus(string? Code, string? Cause, string? Description, DateTimeOffset? FirstEvaluationDate, DateTimeOffset? StatusChangeDate);

internal sealed record AssessmentWireLinks(string? AzurePortalUri);

internal sealed record AssessmentMetadataWireProperties(
    string? DisplayName,
    string? Description,
    string? RemediationDescription,
    string? Severity,
    List<string>? Categories,
    string? UserImpact,
    string? ImplementationEffort,
    List<string>? Threats,
    string? AssessmentType,
    string? PolicyDefinitionId,
    bool? Preview);

internal sealed record DescendantWireProperties(string? DisplayName, DescendantWireParent? Parent);

internal sealed record DescendantWireParent(string? Id);

internal sealed record SecurityConnectorWireProperties(string? HierarchyIdentifier, string? EnvironmentName, SecurityConnectorWireEnvironment? EnvironmentData);

internal sealed record SecurityConnectorWireEnvironment(string? EnvironmentType, SecurityConnectorWireOrganization? OrganizationalData);

internal sealed record SecurityConnectorWireOrganization(string? OrganizationMembershipType, string? ParentHierarchyId);
