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
            case ScopeType.MasterConnector:
                return ResourceIdRules.IsAtOrBelow(resource, scope.Id);
            case ScopeType.ManagementGroup:
                return ResourceIdRules.TryGetSubscriptionId(resource, out var subscription)
                    && (await SubscriptionsBelowAsync(scope.GetManagementGroupName(), cancellationToken).ConfigureAwait(false)).Contains(subscription);
            default:
                throw new ArgumentOutOfRangeException(nameof(scope), scope.Type, "Unknown scope type.");
        }
    }

    private async Task<HashSet<string>> SubscriptionsBelowAsync(string group, CancellationToken cancellationToken)
    {
        // The look-up is shared by every concurrent caller, so no single caller's token may cancel it: each
        // caller stops waiting when it is cancelled, and the look-up ends on its own (the pipeline bounds it).
        var entry = _subscriptionsByGroup.GetOrAdd(group, NewLookUp);
        if (entry.IsValueCreated && entry.Value is { IsFaulted: true } or { IsCanceled: true })
        {
            // Failed while nobody was waiting for it any more: not an answer to hand to this caller.
            _subscriptionsByGroup.TryRemove(new KeyValuePair<string, Lazy<Task<HashSet<string>>>>(group, entry));
            entry = _subscriptionsByGroup.GetOrAdd(group, NewLookUp);
        }

        try
        {
            return await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (!entry.Value.IsCompletedSuccessfully && entry.Value.IsCompleted)
        {
            // A failed look-up must not be remembered: the next caller asks again.
            _subscriptionsByGroup.TryRemove(new KeyValuePair<string, Lazy<Task<HashSet<string>>>>(group, entry));
            throw;
        }
    }

    private Lazy<Task<HashSet<string>>> NewLookUp(string group) => new(() => LoadAsync(group, CancellationToken.None));

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
    private readonly IServiceProvider _services;

    public ScopeMembershipFactory(IServiceProvider services)
    {
        _services = services;
    }

    public IScopeMembership Create() => new ScopeMembership((IDefenderClient)_services.GetService(typeof(IDefenderClient))!);
}
