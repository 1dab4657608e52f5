using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Defender;

/// <summary>What a recommendation is about (<c>Microsoft.Security/assessmentMetadata</c>).</summary>
/// <remarks><c>RemediationDescription</c> is HTML, as Defender writes it.</remarks>
public sealed record AssessmentMetadata(
    string Name,
    string? DisplayName,
    string? Description,
    string? RemediationDescription,
    AssessmentSeverity? Severity,
    IReadOnlyList<string> Categories,
    string? UserImpact,
    string? ImplementationEffort,
    IReadOnlyList<string> Threats,
    string? AssessmentType,
    string? PolicyDefinitionId,
    bool Preview);

public enum AssessmentSeverity
{
    [ContractName("Low")]
    Low,
    [ContractName("Medium")]
    Medium,
    [ContractName("High")]
    High,
}
