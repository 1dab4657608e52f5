namespace DefenderSnow.Simulators.Defender;

public sealed partial class ResourceManagerState
{
    private readonly Dictionary<(string Subscription, string Name), SimulatedAssessmentMetadata> _subscriptionMetadata = [];

    /// <summary>
    /// Seeds a custom recommendation of one subscription (AssessmentsMetadata_CreateInSubscription, example
    /// CreateAssessmentsMetadata_subscription_example.json in stable/2021-06-01): it is listed by that subscription's
    /// <c>assessmentMetadata</c>, never by the tenant-wide list, and its assessments there carry its display name.
    /// </summary>
    public void SeedSubscriptionMetadata(string subscriptionId, SimulatedAssessmentMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!Guid.TryParseExact(subscriptionId, "D", out _))
        {
            throw new ArgumentException($"'{subscriptionId}' is not a subscription GUID.", nameof(subscriptionId));
        }

        lock (_gate)
        {
            _subscriptionMetadata[(subscriptionId.ToLowerInvariant(), metadata.AssessmentName.ToLowerInvariant())] = metadata;
            _knownSubscriptions.Add(subscriptionId);
        }
    }

    /// <summary>
    /// What <c>GET /subscriptions/{id}/providers/Microsoft.Security/assessmentMetadata</c> lists: the built-in recommendations
    /// and the subscription's own, as ListAssessmentsMetadata_subscription_example.json shows both (<c>BuiltIn</c> and
    /// <c>CustomPolicy</c>); <c>null</c> for a subscription the simulator does not know.
    /// </summary>
    internal IReadOnlyList<SimulatedAssessmentMetadata>? MetadataIn(string subscriptionId)
    {
        if (AssessmentsIn(subscriptionId) is null)
        {
            return null;
        }

        lock (_gate)
        {
            var own = _subscriptionMetadata.Where(m => m.Key.Subscription.Equals(subscriptionId, StringComparison.OrdinalIgnoreCase)).Select(m => m.Value);
            return _metadata.Values.Concat(own).OrderBy(m => m.AssessmentName, StringComparer.OrdinalIgnoreCase).ToList();
        }
    }

    /// <summary>A recommendation's metadata as an assessment in <paramref name="subscriptionId"/> sees it: the tenant's, or the subscription's own.</summary>
    internal SimulatedAssessmentMetadata? FindMetadata(string assessmentName, string subscriptionId)
    {
        lock (_gate)
        {
            return _metadata.GetValueOrDefault(assessmentName)
                ?? _subscriptionMetadata.GetValueOrDefault((subscriptionId.ToLowerInvariant(), assessmentName.ToLowerInvariant()));
        }
    }
}
