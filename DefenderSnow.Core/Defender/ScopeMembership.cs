using System.Collections.Concurrent;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// <see cref="IScopeMembership"/> with a cache of each management group's subscriptions for the lifetime
/// of the instance (one request or one sync run).
/// </summary>
internal sealed class ScopeMembership : IScopeMembership
{
    private readonly IDefenderClient _client;
    private readonly ConcurrentDictionary<string, Lazy<Task<HashSet<string>>>> _subscriptionsByGroup = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Lazy<Task<List<string>>>> _membersByMaster = new(StringComparer.OrdinalIgnoreCase);

    public ScopeMembership(IDefenderClient client)
    {
        _client = client;
    }

    public async Task<bool> IsCoveredAsync(DefenderScope scope, string resourceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var resource = ResourceIdRules.ValidateResourceId(resourceId);
        switch (scope.Type)
        {
            case ScopeType.Subscription:
            case ScopeType.Connector:
                return ResourceIdRules.IsAtOrBelow(resource, scope.Id);
            case ScopeType.MasterConnector:
                // Defender places an organisation's accounts or projects below their member connectors, not the master.
                return ResourceIdRules.IsAtOrBelow(resource, scope.Id)
                    || (await MembersOfAsync(scope.Id, cancellationToken).ConfigureAwait(false)).Any(member => ResourceIdRules.IsAtOrBelow(resource, member));
            case ScopeType.ManagementGroup:
                return ResourceIdRules.TryGetSubscriptionId(resource, out var subscription)
                    && (await SubscriptionsBelowAsync(scope.GetManagementGroupName(), cancellationToken).ConfigureAwait(false)).Contains(subscription);
            default:
                throw new ArgumentOutOfRangeException(nameof(scope), scope.Type, "Unknown scope type.");
        }
    }

    private Task<HashSet<string>> SubscriptionsBelowAsync(string group, CancellationToken cancellationToken) =>
        RememberedAsync(_subscriptionsByGroup, group, LoadAsync, cancellationToken);

    private Task<List<string>> MembersOfAsync(string masterId, CancellationToken cancellationToken) =>
        RememberedAsync(_membersByMaster, masterId, LoadMembersAsync, cancellationToken);

    /// <summary>
    /// One look-up per key for the lifetime of the instance, shared by concurrent callers. No single caller's
    /// token may cancel a shared look-up: each caller stops waiting when it is cancelled, and the look-up
    /// ends on its own (the upstream pipeline bounds it).
    /// </summary>
    private static async Task<T> RememberedAsync<T>(
        ConcurrentDictionary<string, Lazy<Task<T>>> cache, string key, Func<string, CancellationToken, Task<T>> load, CancellationToken cancellationToken)
    {
        Lazy<Task<T>> NewLookUp(string k) => new(() => load(k, CancellationToken.None));

        var entry = cache.GetOrAdd(key, NewLookUp);
        if (entry.IsValueCreated && entry.Value is { IsFaulted: true } or { IsCanceled: true })
        {
            // Failed while nobody was waiting for it any more: not an answer to hand to this caller.
            cache.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(key, entry));
            entry = cache.GetOrAdd(key, NewLookUp);
        }

        try
        {
            return await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (!entry.Value.IsCompletedSuccessfully && entry.Value.IsCompleted)
        {
            // A failed look-up must not be remembered: the next caller asks again.
            cache.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(key, entry));
            throw;
        }
    }

    /// <summary>The member connectors of a master connector: Defender creates them in the master's subscription.</summary>
    private async Task<List<string>> LoadMembersAsync(string masterId, CancellationToken cancellationToken)
    {
        if (!ResourceIdRules.TryGetSubscriptionId(masterId, out var subscription))
        {
            return [];
        }

        var connectors = await _client.ListSecurityConnectorsAsync(subscription, cancellationToken).ConfigureAwait(false);
        var master = connectors.FirstOrDefault(c => c.Id.Equals(masterId, StringComparison.OrdinalIgnoreCase));
        return master is null ? [] : connectors.Where(c => c.IsMemberOf(master)).Select(c => c.Id).ToList();
    }

    private async Task<HashSet<string>> LoadAsync(string group, CancellationToken cancellationToken)
    {
        // The descendants API lists every level below the group, so a subscription two groups down is here too.
        var descendants = await _client.ListManagementGroupDescendantsAsync(group, cancellationToken).ConfigureAwait(false);
        var subscriptions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var descendant in descendants.Where(d => d.IsSubscription))
        {
            if (ResourceIdRules.TryGetSubscriptionId(descendant.Id, out var id))
            {
                subscriptions.Add(id);
            }
        }

        return subscriptions;
    }
}

internal sealed class ScopeMembershipFactory : IScopeMembershipFactory
{
    private readonly IDefenderClientFactory _clients;

    public ScopeMembershipFactory(IDefenderClientFactory clients)
    {
        _clients = clients;
    }

    public IScopeMembership Create() => new ScopeMembership(_clients.Create());
}
