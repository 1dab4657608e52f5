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
            && !(RuleInput.SeverityRank(finding.Severity) is { } rank && rank >= RuleInput.SeverityRank(minimum)))
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
