using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DefenderSnow.Simulators.Hosting;

namespace DefenderSnow.Simulators.Defender;

/// <summary>
/// Everything the Resource Manager simulator knows: seeded assessments, metadata and management-group
/// tree, the governance assignments clients have put, request counts, and the faults to inject. Ids are
/// compared without regard to case, as Resource Manager compares them.
/// </summary>
public sealed partial class ResourceManagerState
{
    private readonly object _gate = new();
    private readonly Dictionary<string, SimulatedAssessment> _assessments = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SimulatedAssessmentMetadata> _metadata = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SimulatedManagementGroup> _groups = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SimulatedSubscription> _subscriptions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, StoredGovernanceAssignment> _governance = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _deniedScopes = [];
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private int _pageSize = 100;

    public ResourceManagerState(TimeProvider timeProvider)
    {
        TimeProvider = timeProvider;
        Throttling = new SubscriptionThrottling(timeProvider);
    }

    /// <summary>The per-subscription read, write and delete buckets.</summary>
    public SubscriptionThrottling Throttling { get; }

    /// <summary>The clock bearer tokens' expiry is checked against.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Injected faults, named by operation (<see cref="ResourceManagerOperations"/>).</summary>
    public SimulatorFaults Faults { get; } = new();

    /// <summary>The most items a collection page holds (Resource Manager's own limit varies; small values exercise <c>nextLink</c>).</summary>
    public int PageSize
    {
        get => Volatile.Read(ref _pageSize);
        set => Volatile.Write(ref _pageSize, value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), "A page holds at least one item."));
    }

    /// <summary>
    /// When set, <c>nextLink</c>s point at this base instead of the simulator itself: lets client tests prove
    /// they never follow a link (and send their token) to another host.
    /// </summary>
    public Uri? NextLinkBase { get; set; }

    public void SeedAssessment(SimulatedAssessment assessment)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        if (!ArmPaths.IsResourceId(assessment.ResourceId))
        {
            throw new ArgumentException($"'{assessment.ResourceId}' is not a resource id below a subscription.", nameof(assessment));
        }

        lock (_gate)
        {
            _assessments[AssessmentKey(assessment.ResourceId, assessment.AssessmentName)] = assessment;
            _assessmentsBySubscription.Clear();
            RememberSubscriptionOf(assessment.ResourceId);
        }
    }

    public void SeedMetadata(SimulatedAssessmentMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        lock (_gate)
        {
            _metadata[metadata.AssessmentName] = metadata;
        }
    }

    /// <summary>Adds a management group below <paramref name="group"/>.<see cref="SimulatedManagementGroup.Parent"/>, which must exist already (except for a root).</summary>
    public void AddManagementGroup(SimulatedManagementGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        lock (_gate)
        {
            if (group.Parent is not null && !_groups.ContainsKey(group.Parent))
            {
                throw new ArgumentException($"Parent management group '{group.Parent}' does not exist.", nameof(group));
            }

            _groups[group.Name] = group;
        }
    }

    public void AddSubscription(SimulatedSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (!Guid.TryParseExact(subscription.SubscriptionId, "D", out _))
        {
            throw new ArgumentException($"'{subscription.SubscriptionId}' is not a subscription GUID.", nameof(subscription));
        }

        lock (_gate)
        {
            if (!_groups.ContainsKey(subscription.Parent))
            {
                throw new ArgumentException($"Parent management group '{subscription.Parent}' does not exist.", nameof(subscription));
            }

            _subscriptions[subscription.SubscriptionId] = subscription;
        }
    }

    /// <summary>
    /// From now on the app's identity has no role at <paramref name="scope"/> (a management group, subscription or
    /// resource id) or below it: every request there is answered 403 <c>AuthorizationFailed</c>, as when the
    /// role (the custom DefenderSnow role, or Security Admin) was never granted or was taken away.
    /// </summary>
    public void RevokeRoles(string scope)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        lock (_gate)
        {
            _deniedScopes.Add(scope.TrimEnd('/'));
        }
    }

    /// <summary>Gives back every role taken with <see cref="RevokeRoles"/>.</summary>
    public void RestoreRoles()
    {
        lock (_gate)
        {
            _deniedScopes.Clear();
        }
    }

    public IReadOnlyList<StoredGovernanceAssignment> GovernanceAssignments
    {
        get
        {
            lock (_gate)
            {
                return _governance.Values.ToList();
            }
        }
    }

    public StoredGovernanceAssignment? FindGovernanceAssignment(string resourceId, string assessmentName, string assignmentKey)
    {
        lock (_gate)
        {
            return _governance.GetValueOrDefault(GovernanceKey(resourceId, assessmentName, assignmentKey));
        }
    }

    /// <summary>Requests that reached <paramref name="operation"/> (one of <see cref="ResourceManagerOperations"/>), rejected ones included.</summary>
    public int RequestCount(string operation) => _requests.GetValueOrDefault(operation);

    public IReadOnlyDictionary<string, int> RequestCounts => new Dictionary<string, int>(_requests);

    public void ResetRequestCounts() => _requests.Clear();

    /// <summary>Forgets everything: seeds, stored assignments, role revocations, counts and faults.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _assessments.Clear();
            _assessmentsBySubscription.Clear();
            _metadata.Clear();
            _subscriptionMetadata.Clear();
            _groups.Clear();
            _subscriptions.Clear();
            _governance.Clear();
            _connectors.Clear();
            _tags.Clear();
            _knownSubscriptions.Clear();
            _deniedScopes.Clear();
            _requests.Clear();
            Faults.Clear();
            _pageSize = 100;
            NextLinkBase = null;
            _nextLinkShape = NextLinkShape.SkipToken;
            Throttling.Reset();
        }
    }

    internal void CountRequest(string operation) => _requests.AddOrUpdate(operation, 1, (_, n) => n + 1);

    /// <summary>The revoked scope that covers <paramref name="resourceId"/>, or <c>null</c> when the identity has its roles there.</summary>
    internal string? DeniedScopeFor(string resourceId)
    {
        lock (_gate)
        {
            return _deniedScopes.FirstOrDefault(scope =>
                resourceId.Equals(scope, StringComparison.OrdinalIgnoreCase)
                || resourceId.StartsWith(scope + "/", StringComparison.OrdinalIgnoreCase)
                || (TryGetManagementGroupName(scope, out var group) && IsBelow(resourceId, group)));
        }
    }

    internal SimulatedAssessment? FindAssessment(string resourceId, string assessmentName)
    {
        lock (_gate)
        {
            return _assessments.GetValueOrDefault(AssessmentKey(resourceId, assessmentName));
        }
    }

    internal SimulatedAssessmentMetadata? FindMetadata(string assessmentName)
    {
        lock (_gate)
        {
            return _metadata.GetValueOrDefault(assessmentName);
        }
    }

    /// <summary>
    /// Stores a governance assignment as if a client had put it, without a request: for seeding at scale (the
    /// benchmark's 100,000). Its properties must be what the PUT endpoint would have accepted.
    /// </summary>
    public void SeedGovernanceAssignment(StoredGovernanceAssignment assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        PutGovernanceAssignment(assignment);
    }

    /// <summary>Stores the assignment; true when it is new (201), false when it replaced one (200).</summary>
    internal bool PutGovernanceAssignment(StoredGovernanceAssignment assignment)
    {
        var key = GovernanceKey(assignment.ResourceId, assignment.AssessmentName, assignment.AssignmentKey);
        lock (_gate)
        {
            if (_governance.TryGetValue(key, out var existing))
            {
                // Resource Manager keeps the casing of the id a resource was created with.
                _governance[key] = existing with { Properties = assignment.Properties };
                return false;
            }

            _governance[key] = assignment;
            return true;
        }
    }

    internal bool DeleteGovernanceAssignment(string resourceId, string assessmentName, string assignmentKey)
    {
        lock (_gate)
        {
            return _governance.Remove(GovernanceKey(resourceId, assessmentName, assignmentKey));
        }
    }

    internal List<StoredGovernanceAssignment> ListGovernanceAssignments(string resourceId, string assessmentName)
    {
        lock (_gate)
        {
            return _governance.Values
                .Where(a => a.ResourceId.Equals(resourceId, StringComparison.OrdinalIgnoreCase)
                    && a.AssessmentName.Equals(assessmentName, StringComparison.OrdinalIgnoreCase))
                .OrderBy(a => a.AssignmentKey, StringComparer.OrdinalIgnoreCase)
                .ToList();
        }
    }

    /// <summary>Every group and subscription below <paramref name="groupName"/>, depth first; null when the group does not exist.</summary>
    internal List<JsonObject>? Descendants(string groupName)
    {
        lock (_gate)
        {
            if (!_groups.TryGetValue(groupName, out var root))
            {
                return null;
            }

            var result = new List<JsonObject>();
            AddChildren(root.Name, result);
            return result;
        }
    }

    private void AddChildren(string parent, List<JsonObject> result)
    {
        var parentRef = new JsonObject { ["id"] = ArmPaths.ManagementGroupId(_groups[parent].Name) };
        foreach (var group in _groups.Values.Where(g => parent.Equals(g.Parent, StringComparison.OrdinalIgnoreCase)).OrderBy(g => g.Name, StringComparer.Ordinal))
        {
            result.Add(new JsonObject
            {
                ["id"] = ArmPaths.ManagementGroupId(group.Name),
                ["type"] = "Microsoft.Management/managementGroups",
                ["name"] = group.Name,
                ["properties"] = new JsonObject { ["displayName"] = group.DisplayName ?? group.Name, ["parent"] = parentRef.DeepClone() },
            });
            AddChildren(group.Name, result);
        }

        foreach (var subscription in _subscriptions.Values.Where(s => parent.Equals(s.Parent, StringComparison.OrdinalIgnoreCase)).OrderBy(s => s.SubscriptionId, StringComparer.Ordinal))
        {
            result.Add(new JsonObject
            {
                ["id"] = $"/subscriptions/{subscription.SubscriptionId}",
                ["type"] = "Microsoft.Management/managementGroups/subscriptions",
                ["name"] = subscription.SubscriptionId,
                ["properties"] = new JsonObject { ["displayName"] = subscription.DisplayName ?? subscription.SubscriptionId, ["parent"] = parentRef.DeepClone() },
            });
        }
    }

    private static string AssessmentKey(string resourceId, string assessmentName) => $"{resourceId.TrimEnd('/')}|{assessmentName}";

    private static string GovernanceKey(string resourceId, string assessmentName, string key) => $"{resourceId.TrimEnd('/')}|{assessmentName}|{key}";

    private static bool TryGetManagementGroupName(string scope, out string group)
    {
        const string Prefix = "/providers/Microsoft.Management/managementGroups/";
        group = scope.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? scope[Prefix.Length..] : string.Empty;
        return group.Length > 0 && !group.Contains('/', StringComparison.Ordinal);
    }

    /// <summary>Whether a resource id lies in a subscription below management group <paramref name="group"/>; call under the lock.</summary>
    private bool IsBelow(string resourceId, string group)
    {
        if (!ArmPaths.TryGetSubscription(resourceId, out var subscriptionId) || !_subscriptions.TryGetValue(subscriptionId, out var subscription))
        {
            return false;
        }

        for (var current = subscription.Parent; current is not null; current = _groups.GetValueOrDefault(current)?.Parent)
        {
            if (current.Equals(group, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
