using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Findings;

namespace DefenderSnow.Core.Rules;

/// <summary>Whether a finding meets a rule's conditions; all given conditions must hold.</summary>
internal static class RuleMatching
{
    public static bool Matches(Rule rule, Finding finding, IReadOnlyDictionary<string, string>? tags)
    {
        var conditions = rule.Conditions;
        if (conditions.AssessmentNames.Count > 0 && !conditions.AssessmentNames.Contains(finding.AssessmentName, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        if (conditions.MinimumSeverity is { } minimum
            && !(FindingSeverity.Rank(finding.Severity) is { } rank && rank >= FindingSeverity.Rank(minimum)))
        {
            return false;
        }

        // An unknown or absent risk level meets no minimum: unlike severity, Defender gives no risk on older
        // api-versions and for recommendations it does not prioritize, and a rule on risk asks for Defender's verdict.
        if (conditions.MinimumRiskLevel is { } minimumRisk
            && !(RuleInput.RiskRank(finding.Risk?.Level) is { } riskRank && riskRank >= RuleInput.RiskRank(minimumRisk)))
        {
            return false;
        }

        if (conditions.RiskFactor is { } factor
            && !(finding.Risk?.Factors.Contains(factor, StringComparer.OrdinalIgnoreCase) ?? false))
        {
            return false;
        }

        if (conditions.ResourceType is { } type && !string.Equals(finding.ResourceType, type, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (conditions.Scope is { } scope && !ResourceIdRules.IsAtOrBelow(finding.ResourceId, scope))
        {
            return false;
        }

        return conditions.Tag is not { } tag
            || (tags is not null && tags.TryGetValue(tag.Name, out var value) && string.Equals(value, tag.Value, StringComparison.Ordinal));
    }
}
