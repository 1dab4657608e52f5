namespace DefenderSnow.Core.Defender;

/// <summary>
/// Assessments and assessment metadata as Resource Manager sends them (the wire records of ResourceManagerWireModels.cs)
/// turned into the models callers see; what cannot be used is a typed error from <see cref="ResourceManagerResponses"/>.
/// </summary>
internal sealed class AssessmentWireMapping
{
    private readonly ResourceManagerResponses _responses;

    public AssessmentWireMapping(ResourceManagerResponses responses)
    {
        _responses = responses;
    }

    public Assessment ToAssessment(ArmResource<AssessmentWireProperties> stored, string resourceId, string name, string operation)
    {
        var properties = stored.Properties ?? throw _responses.Unusable(operation, "an assessment without properties");
        var status = properties.Status ?? throw _responses.Unusable(operation, "an assessment without a status");
        if (!Enum.TryParse<AssessmentStatusCode>(status.Code, ignoreCase: true, out var code) || !Enum.IsDefined(code))
        {
            throw _responses.Unusable(operation, $"an assessment status '{status.Code}' DefenderSnow does not know");
        }

        return new Assessment(
            stored.Id ?? $"{resourceId}/providers/Microsoft.Security/assessments/{name}",
            stored.Name ?? name,
            properties.ResourceDetails?.Id ?? resourceId,
            properties.ResourceDetails?.Source,
            properties.DisplayName,
            new AssessmentStatus(code, status.Cause, status.Description, status.FirstEvaluationDate, status.StatusChangeDate),
            properties.AdditionalData ?? new Dictionary<string, string>(),
            properties.Links?.AzurePortalUri,
            properties.Risk is { } risk
                ? new AssessmentRisk(risk.Level, risk.RiskFactors ?? [], risk.AttackPathsReferences?.Count ?? 0, risk.IsContextualRisk)
                : null);
    }

    /// <summary>
    /// A listed assessment. Its resource is the scope its id lies under (what governance assignments are addressed by,
    /// also for multicloud resources below a security connector); <c>resourceDetails.id</c> is only a fallback, because
    /// resources outside Azure (<c>OnPremise</c>, <c>AWS</c>, <c>GCP</c> sources) carry other fields there instead.
    /// </summary>
    public Assessment ToListedAssessment(ArmResource<AssessmentWireProperties> item, string operation)
    {
        var id = item.Id ?? throw _responses.Unusable(operation, "an assessment without an id");
        const string marker = "/providers/Microsoft.Security/assessments/";
        var at = id.LastIndexOf(marker, StringComparison.OrdinalIgnoreCase);
        var name = item.Name ?? (at >= 0 ? id[(at + marker.Length)..] : throw _responses.Unusable(operation, "an assessment without a name"));
        var resourceId = at > 0 ? id[..at] : item.Properties?.ResourceDetails?.Id ?? throw _responses.Unusable(operation, "an assessment without a resource");
        var properties = item.Properties ?? throw _responses.Unusable(operation, "an assessment without properties");
        var details = new AssessmentWireResourceDetails(properties.ResourceDetails?.Source, resourceId);
        return ToAssessment(item with { Id = id, Properties = properties with { ResourceDetails = details } }, resourceId, name, operation);
    }

    public static AssessmentMetadata ToMetadata(ArmResource<AssessmentMetadataWireProperties> stored, string name)
    {
        var p = stored.Properties;
        // The contract names only: Enum.TryParse alone would also take numbers ("3") and lists. A value it does not know
        // is kept as written, so that it is ticketed at the highest impact rather than as if it had no severity.
        AssessmentSeverity? severity = Findings.FindingSeverity.TryParse(p?.Severity, out var s) ? s : null;
        var unrecognized = severity is null && !string.IsNullOrWhiteSpace(p?.Severity) ? p.Severity : null;
        return new AssessmentMetadata(
            stored.Name ?? name,
            p?.DisplayName,
            p?.Description,
            p?.RemediationDescription,
            severity,
            p?.Categories ?? [],
            p?.UserImpact,
            p?.ImplementationEffort,
            p?.Threats ?? [],
            p?.AssessmentType,
            p?.PolicyDefinitionId,
            p?.Preview ?? false,
            unrecognized);
    }
}
