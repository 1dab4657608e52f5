namespace DefenderSnow.Simulators.Defender;

public sealed partial class ResourceManagerState
{
    // Subscriptions the simulated tenant has: added to the tree, or named by anything ever seeded. A subscription stays
    // known after its last assessment is removed, as a real one does when its last resource goes.
    private readonly HashSet<string> _knownSubscriptions = new(StringComparer.OrdinalIgnoreCase);

    // Each subscription's assessments in list order, kept until an assessment changes: a listing of 100,000 findings
    // is read a page at a time, and sorting them all again for every page would make the simulator the bottleneck.
    private readonly Dictionary<string, List<SimulatedAssessment>> _assessmentsBySubscription = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Forgets an assessment, as Defender does when its resource is deleted; true when there was one.</summary>
    public bool RemoveAssessment(string resourceId, string assessmentName)
    {
        lock (_gate)
        {
            _assessmentsBySubscription.Clear();
            return _assessments.Remove(AssessmentKey(resourceId, assessmentName));
        }
    }

    /// <summary>Every assessment under a subscription, in a stable order; null when the subscription is unknown.</summary>
    internal IReadOnlyList<SimulatedAssessment>? AssessmentsIn(string subscriptionId)
    {
        lock (_gate)
        {
            if (!_knownSubscriptions.Contains(subscriptionId)
                && !_subscriptions.ContainsKey(subscriptionId)
                && !_connectors.Values.Any(c => c.SubscriptionId.Equals(subscriptionId, StringComparison.OrdinalIgnoreCase)))
            {
                return null;
            }

            if (!_assessmentsBySubscription.TryGetValue(subscriptionId, out var listed))
            {
                _assessmentsBySubscription[subscriptionId] = listed = _assessments.Values
                    .Where(a => SubscriptionOf(a.ResourceId).Equals(subscriptionId, StringComparison.OrdinalIgnoreCase))
                    .OrderBy(a => a.ResourceId, StringComparer.OrdinalIgnoreCase)
                    .ThenBy(a => a.AssessmentName, StringComparer.OrdinalIgnoreCase)
                    .ToList();
            }

            return listed;
        }
    }

    internal List<SimulatedAssessmentMetadata> AllMetadata()
    {
        lock (_gate)
        {
            return _metadata.Values.OrderBy(m => m.AssessmentName, StringComparer.OrdinalIgnoreCase).ToList();
        }
    }

    /// <summary>Remembers the subscription of a seeded assessment; call under the lock.</summary>
    private void RememberSubscriptionOf(string resourceId)
    {
        if (ArmPaths.TryGetSubscription(resourceId, out var subscription))
        {
            _knownSubscriptions.Add(subscription);
        }
    }

    private static string SubscriptionOf(string resourceId) =>
        ArmPaths.TryGetSubscription(resourceId, out var subscription) ? subscription : string.Empty;
}
