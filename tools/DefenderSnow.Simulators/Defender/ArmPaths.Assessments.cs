using System.Text.RegularExpressions;

namespace DefenderSnow.Simulators.Defender;

internal static partial class ArmPaths
{
    [GeneratedRegex(@"^/subscriptions/(?<sub>[^/]+)/providers/Microsoft\.Security/assessments/?$", RegexOptions.IgnoreCase)]
    private static partial Regex SubscriptionAssessmentsPattern();

    [GeneratedRegex(@"^/providers/Microsoft\.Security/assessmentMetadata/?$", RegexOptions.IgnoreCase)]
    private static partial Regex MetadataListPattern();

    // AssessmentsMetadata_ListBySubscription, stable/2021-06-01 and stable/2025-05-04/assessmentMetadata.json.
    [GeneratedRegex(@"^/subscriptions/(?<sub>[^/]+)/providers/Microsoft\.Security/assessmentMetadata/?$", RegexOptions.IgnoreCase)]
    private static partial Regex SubscriptionMetadataListPattern();

    // AssessmentsMetadata_GetInSubscription, stable/2021-06-01 and stable/2025-05-04/assessmentMetadata.json.
    [GeneratedRegex(@"^/subscriptions/(?<sub>[^/]+)/providers/Microsoft\.Security/assessmentMetadata/(?<a>[^/]+)/?$", RegexOptions.IgnoreCase)]
    private static partial Regex SubscriptionMetadataPattern();
}
