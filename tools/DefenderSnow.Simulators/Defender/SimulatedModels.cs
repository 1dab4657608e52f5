namespace DefenderSnow.Simulators.Defender;

public enum SimulatedAssessmentStatus
{
    Healthy,
    Unhealthy,
    NotApplicable,
}

/// <summary>
/// The metadata severities of api-version 2025-05-04 (stable/2025-05-04/assessmentMetadata.json, <c>severity</c>:
/// Low, Medium, High, Critical; Critical came in March 2025).
/// </summary>
public enum SimulatedSeverity
{
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>What Defender has found for one recommendation on one resource.</summary>
public sealed record SimulatedAssessment(string ResourceId, string AssessmentName, SimulatedAssessmentStatus Status)
{
    /// <summary>Defaults to the recommendation's metadata display name, when that is seeded.</summary>
    public string? DisplayName { get; init; }

    public string? Cause { get; init; }

    public string? Description { get; init; }

    /// <summary><c>resourceDetails.source</c>: <c>Azure</c>, <c>Aws</c>, <c>Gcp</c>, <c>OnPremise</c>.</summary>
    public string Source { get; init; } = "Azure";

    public IReadOnlyDictionary<string, string>? AdditionalData { get; init; }

    public DateTimeOffset? FirstEvaluationDate { get; init; }

    public DateTimeOffset? StatusChangeDate { get; init; }

    /// <summary>
    /// <c>properties.risk</c>, served from api-version 2025-05-04 only (stable/2025-05-04/assessments.json,
    /// <c>SecurityAssessmentPropertiesBase.risk</c>); 2021-06-01 has no such member.
    /// </summary>
    public SimulatedRisk? Risk { get; init; }
}

/// <summary>
/// A finding's risk as 2025-05-04 returns it: <c>level</c> (Low, Medium, High, Critical, modelled as a string),
/// <c>riskFactors</c>, <c>attackPathsReferences</c>, <c>isContextualRisk</c>.
/// </summary>
public sealed record SimulatedRisk(string Level)
{
    public IReadOnlyList<string> Factors { get; init; } = [];

    public IReadOnlyList<string> AttackPaths { get; init; } = [];

    public bool IsContextual { get; init; } = true;
}

/// <summary>A recommendation's metadata (<c>Microsoft.Security/assessmentMetadata</c>).</summary>
public sealed record SimulatedAssessmentMetadata(string AssessmentName, string DisplayName, SimulatedSeverity Severity)
{
    public string? Description { get; init; }

    /// <summary>HTML, as Defender writes it.</summary>
    public string? RemediationDescription { get; init; }

    public IReadOnlyList<string> Categories { get; init; } = [];

    public string? UserImpact { get; init; }

    public string? ImplementationEffort { get; init; }

    public IReadOnlyList<string> Threats { get; init; } = [];

    public string AssessmentType { get; init; } = "BuiltIn";

    public string? PolicyDefinitionId { get; init; }

    public bool Preview { get; init; }

    /// <summary>
    /// Served instead of <see cref="Severity"/> when set: a value Defender may add later (the spec models severity as a
    /// string, <c>modelAsString: true</c>), for tests of what a client does with one it does not know.
    /// </summary>
    public string? SeverityAsWritten { get; init; }
}

/// <summary>A management group in the simulated tree; <see cref="Parent"/> is null only for the root.</summary>
public sealed record SimulatedManagementGroup(string Name, string? Parent, string? DisplayName = null);

/// <summary>A subscription placed directly below management group <see cref="Parent"/>.</summary>
public sealed record SimulatedSubscription(string SubscriptionId, string Parent, string? DisplayName = null);

/// <summary>Names of the simulated endpoints, as used for request counts and faults.</summary>
public static class ResourceManagerOperations
{
    public const string PutGovernanceAssignment = "PutGovernanceAssignment";
    public const string GetGovernanceAssignment = "GetGovernanceAssignment";
    public const string DeleteGovernanceAssignment = "DeleteGovernanceAssignment";
    public const string ListGovernanceAssignments = "ListGovernanceAssignments";
    public const string GetAssessment = "GetAssessment";
    public const string GetAssessmentMetadata = "GetAssessmentMetadata";
    public const string ListManagementGroupDescendants = "ListManagementGroupDescendants";
    public const string ListSecurityConnectors = "ListSecurityConnectors";
    public const string ListResources = "ListResources";
    public const string ListSubscriptionAssessments = "ListSubscriptionAssessments";
    public const string ListAssessmentMetadata = "ListAssessmentMetadata";
    public const string ListSubscriptionAssessmentMetadata = "ListSubscriptionAssessmentMetadata";
    public const string GetSubscriptionAssessmentMetadata = "GetSubscriptionAssessmentMetadata";
}
