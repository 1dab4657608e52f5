using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Defender;

/// <summary>What a recommendation is about (<c>Microsoft.Security/assessmentMetadata</c>).</summary>
/// <remarks>
/// <c>RemediationDescription</c> is HTML, as Defender writes it. <c>Severity</c> is null when Defender gave none or one
/// DefenderSnow does not know; the latter is kept in <c>UnrecognizedSeverity</c>, as Defender wrote it, so that it is
/// ticketed at the highest impact and reported instead of silently ranking last.
/// </remarks>
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
    bool Preview,
    string? UnrecognizedSeverity = null)
{
    /// <summary>The severity as findings carry it: the contract name, or the unrecognized value as Defender wrote it.</summary>
    public string? SeverityName => Severity?.ToContract() ?? UnrecognizedSeverity;
}

/// <summary>
/// A recommendation's severity, in rising order (rules' <c>minimumSeverity</c> compares by it). <c>Critical</c> came in
/// March 2025; the 2025-05-04 metadata spec lists Low, Medium, High, Critical
/// (specification/security/resource-manager/Microsoft.Security/stable/2025-05-04/assessmentMetadata.json, <c>severity</c>).
/// </summary>
public enum AssessmentSeverity
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
