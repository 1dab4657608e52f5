namespace DefenderSnow.Core.Defender;

/// <summary>
/// Decides whether a resource lies within an integration's scope. An instance remembers the
/// descendants of each management group it has looked up, so it is meant to live for one request or
/// one sync run (it is registered as a scoped service; <see cref="IScopeMembershipFactory"/> makes one
/// on demand) and never longer, so that moved subscriptions are seen on the next run.
/// </summary>
public interface IScopeMembership
{
    /// <summary>
    /// Subscription: the resource id is the subscription or below it. Management group: the resource's
    /// subscription is a descendant of the group, at any depth. Connector: the resource id is the connector
    /// or below it (where Defender places the AWS and GCP resources it reads through that connector). Master
    /// connector: the same for the master or any of its member connectors (read from the security connectors
    /// API by their organisational hierarchy fields).
    /// </summary>
    Task<bool> IsCoveredAsync(DefenderScope scope, string resourceId, CancellationToken cancellationToken);
}

/// <summary>Makes a fresh <see cref="IScopeMembership"/> (with an empty cache) for a unit of work that is not a DI scope.</summary>
public interface IScopeMembershipFactory
{
    IScopeMembership Create();
}
