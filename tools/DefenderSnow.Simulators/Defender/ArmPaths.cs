using System.Text.RegularExpressions;

namespace DefenderSnow.Simulators.Defender;

/// <summary>Recognises the Resource Manager paths the simulator serves and checks the ids inside them.</summary>
internal static partial class ArmPaths
{
    public static string ManagementGroupId(string name) => $"/providers/Microsoft.Management/managementGroups/{name}";

    /// <summary>A resource id below a subscription: <c>/subscriptions/{guid}</c> and any number of non-empty segments.</summary>
    public static bool IsResourceId(string? value)
    {
        if (string.IsNullOrEmpty(value) || !value.StartsWith('/'))
        {
            return false;
        }

        var segments = value[1..].Split('/');
        return segments.Length >= 2
            && segments[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase)
            && segments.All(s => s.Length > 0 && s is not "." and not "..");
    }

    public static bool TryGetSubscription(string resourceId, out string subscription)
    {
        var segments = resourceId.Split('/');
        subscription = segments.Length > 2 ? segments[2] : string.Empty;
        return Guid.TryParseExact(subscription, "D", out _);
    }

    /// <summary>Finds which operation a request addresses; the resource id is everything before the last Security provider segment.</summary>
    public static ArmRoute? Match(string path)
    {
        Match m;
        if ((m = MetadataPattern().Match(path)).Success)
        {
            return new ArmRoute(ArmRouteKind.AssessmentMetadata, null, m.Groups["a"].Value, null);
        }

        if ((m = ResourcesPattern().Match(path)).Success)
        {
            return new ArmRoute(ArmRouteKind.Resources, $"/subscriptions/{m.Groups["sub"].Value}", m.Groups["sub"].Value, null);
        }

        if (MetadataListPattern().IsMatch(path))
        {
            return new ArmRoute(ArmRouteKind.AssessmentMetadataList, null, string.Empty, null);
        }

        if ((m = SubscriptionMetadataListPattern().Match(path)).Success)
        {
            return new ArmRoute(ArmRouteKind.SubscriptionAssessmentMetadataList, $"/subscriptions/{m.Groups["sub"].Value}", m.Groups["sub"].Value, null);
        }

        if ((m = SubscriptionMetadataPattern().Match(path)).Success)
        {
            return new ArmRoute(ArmRouteKind.SubscriptionAssessmentMetadata, $"/subscriptions/{m.Groups["sub"].Value}", m.Groups["a"].Value, m.Groups["sub"].Value);
        }

        if ((m = SubscriptionAssessmentsPattern().Match(path)).Success)
        {
            return new ArmRoute(ArmRouteKind.SubscriptionAssessments, $"/subscriptions/{m.Groups["sub"].Value}", m.Groups["sub"].Value, null);
        }

        if ((m = SecurityConnectorsPattern().Match(path)).Success)
        {
            return new ArmRoute(ArmRouteKind.SecurityConnectors, $"/subscriptions/{m.Groups["sub"].Value}", m.Groups["sub"].Value, null);
        }

        if ((m = DescendantsPattern().Match(path)).Success)
        {
            return new ArmRoute(ArmRouteKind.Descendants, null, m.Groups["g"].Value, null);
        }

        if ((m = GovernanceItemPattern().Match(path)).Success)
        {
            return new ArmRoute(ArmRouteKind.GovernanceAssignment, m.Groups["rid"].Value, m.Groups["a"].Value, m.Groups["k"].Value);
        }

        if ((m = GovernanceCollectionPattern().Match(path)).Success)
        {
            return new ArmRoute(ArmRouteKind.GovernanceAssignments, m.Groups["rid"].Value, m.Groups["a"].Value, null);
        }

        if ((m = AssessmentPattern().Match(path)).Success)
        {
            return new ArmRoute(ArmRouteKind.Assessment, m.Groups["rid"].Value, m.Groups["a"].Value, null);
        }

        return null;
    }

    [GeneratedRegex(@"^/providers/Microsoft\.Security/assessmentMetadata/(?<a>[^/]+)/?$", RegexOptions.IgnoreCase)]
    private static partial Regex MetadataPattern();

    [GeneratedRegex(@"^/providers/Microsoft\.Management/managementGroups/(?<g>[^/]+)/descendants/?$", RegexOptions.IgnoreCase)]
    private static partial Regex DescendantsPattern();

    [GeneratedRegex(@"^(?<rid>/.+)/providers/Microsoft\.Security/assessments/(?<a>[^/]+)/governanceAssignments/(?<k>[^/]+)/?$", RegexOptions.IgnoreCase)]
    private static partial Regex GovernanceItemPattern();

    [GeneratedRegex(@"^(?<rid>/.+)/providers/Microsoft\.Security/assessments/(?<a>[^/]+)/governanceAssignments/?$", RegexOptions.IgnoreCase)]
    private static partial Regex GovernanceCollectionPattern();

    [GeneratedRegex(@"^(?<rid>/.+)/providers/Microsoft\.Security/assessments/(?<a>[^/]+)/?$", RegexOptions.IgnoreCase)]
    private static partial Regex AssessmentPattern();
}

internal enum ArmRouteKind
{
    GovernanceAssignment,
    GovernanceAssignments,
    Assessment,
    AssessmentMetadata,
    Descendants,
    SecurityConnectors,
    Resources,
    SubscriptionAssessments,
    AssessmentMetadataList,
    SubscriptionAssessmentMetadataList,
    SubscriptionAssessmentMetadata,
}

/// <summary>
/// A recognised path: <see cref="Name"/> is the assessment or management group name, <see cref="Key"/> the assignment key
/// (the subscription GUID for a subscription's assessment metadata).
/// </summary>
internal sealed record ArmRoute(ArmRouteKind Kind, string? ResourceId, string Name, string? Key);
