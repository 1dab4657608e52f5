using System.Collections.Concurrent;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// The users a connection resolved lately, by the e-mail address or user name asked for. Every create names an owner
/// and a caller, mostly the same few people: remembered for <see cref="Lifetime"/>, they cost ServiceNow one read per
/// few minutes instead of two per ticket. Only answers are remembered, never "no such user", so a user created a moment
/// ago is found at once; the price is that a user deactivated within the lifetime can still be named until it ends.
/// </summary>
internal sealed class ServiceNowUserCache
{
    /// <summary>Short: an owner who leaves is deactivated in ServiceNow, and assignments should stop naming them soon.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    /// <summary>Beyond this many entries the expired ones are swept; a bound for instances with very many users.</summary>
    private const int SweepAbove = 10_000;

    private readonly ConcurrentDictionary<(ServiceNowConnection Connection, string Value), Entry> _users = new();
    private readonly TimeProvider _timeProvider;

    public ServiceNowUserCache(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    public bool TryGet(ServiceNowConnection connection, string value, out ServiceNowUser user)
    {
        if (_users.TryGetValue((connection, value), out var entry) && entry.Until > _timeProvider.GetUtcNow())
        {
            user = entry.User;
            return true;
        }

        user = null!;
        return false;
    }

    public void Remember(ServiceNowConnection connection, string value, ServiceNowUser user)
    {
        var now = _timeProvider.GetUtcNow();
        if (_users.Count >= SweepAbove)
        {
            foreach (var (key, entry) in _users)
            {
                if (entry.Until <= now)
                {
                    _users.TryRemove(new KeyValuePair<(ServiceNowConnection, string), Entry>(key, entry));
                }
            }

            if (_users.Count >= SweepAbove)
            {
                _users.Clear();
            }
        }

        _users[(connection, value)] = new Entry(user, now + Lifetime);
    }

    private sealed record Entry(ServiceNowUser User, DateTimeOffset Until);
}
