namespace DefenderSnow.Core.Defender;

/// <summary>
/// Finds a recommendation's metadata wherever Defender keeps it: the tenant-level <c>assessmentMetadata</c> knows the
/// built-in recommendations only, and a custom recommendation's metadata lives under the subscription it was created in
/// (AssessmentsMetadata_CreateInSubscription and AssessmentsMetadata_GetInSubscription, stable/2025-05-04/assessmentMetadata.json
/// in Azure/azure-rest-api-specs). So the tenant is asked first (one call for the usual, built-in case, as before), then
/// each subscription the request can concern, until one knows the name.
/// </summary>
public static class AssessmentMetadataLookup
{
    /// <summary>The metadata as a finding in <paramref name="subscriptionId"/> sees it, or <c>null</c> when neither the tenant nor the subscription knows the name.</summary>
    public static Task<AssessmentMetadata?> FindAssessmentMetadataAsync(
        this IDefenderClient defender, string assessmentName, string subscriptionId, CancellationToken cancellationToken) =>
        FindAsync(defender, assessmentName, _ => Task.FromResult<IReadOnlyList<string>>([subscriptionId]), cancellationToken);

    /// <summary>
    /// The metadata as some subscription of <paramref name="scope"/> sees it, or <c>null</c> when none knows the name. A
    /// management group's subscriptions are listed only when the tenant does not know the name.
    /// </summary>
    public static Task<AssessmentMetadata?> FindAssessmentMetadataAsync(
        this IDefenderClient defender, string assessmentName, DefenderScope scope, CancellationToken cancellationToken) =>
        FindAsync(defender, assessmentName, token => defender.ListScopeSubscriptionsAsync(scope, token), cancellationToken);

    /// <summary>The subscriptions whose resources can lie in <paramref name="scope"/> (a management group's at any depth).</summary>
    public static async Task<IReadOnlyList<string>> ListScopeSubscriptionsAsync(this IDefenderClient defender, DefenderScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(defender);
        ArgumentNullException.ThrowIfNull(scope);
        if (scope.Type == ScopeType.ManagementGroup)
        {
            var descendants = await defender.ListManagementGroupDescendantsAsync(scope.GetManagementGroupName(), cancellationToken).ConfigureAwait(false);
            return descendants
                .Where(d => d.IsSubscription)
                .Select(d => ResourceIdRules.TryGetSubscriptionId(d.Id, out var id) ? id : null)
                .OfType<string>()
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
        }

        // A subscription, or a connector, which lives in one.
        return ResourceIdRules.TryGetSubscriptionId(scope.Id, out var subscription) ? [subscription] : [];
    }

    private static async Task<AssessmentMetadata?> FindAsync(
        IDefenderClient defender, string assessmentName, Func<CancellationToken, Task<IReadOnlyList<string>>> subscriptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(defender);
        if (await defender.GetAssessmentMetadataAsync(assessmentName, cancellationToken).ConfigureAwait(false) is { } builtIn)
        {
            return builtIn;
        }

        foreach (var subscription in await subscriptions(cancellationToken).ConfigureAwait(false))
        {
            if (await defender.GetSubscriptionAssessmentMetadataAsync(subscription, assessmentName, cancellationToken).ConfigureAwait(false) is { } custom)
            {
                return custom;
            }
        }

        return null;
    }
}
