namespace DefenderSnow.Core.Access;

/// <summary>
/// What the caller of one operation may reach. <see cref="PrincipalIds"/> are its Entra object id and the ids of
/// its groups; <see cref="Roles"/> are the app roles it holds that grant the operation it called (the outer gate
/// already passed with them). An integration is reached when one of its access entries names one of the ids with
/// one of those roles.
/// </summary>
public sealed record CallerAccess
{
    private CallerAccess(IReadOnlySet<string> principalIds, IReadOnlySet<string> roles, bool seesAll)
    {
        PrincipalIds = principalIds;
        Roles = roles;
        SeesAll = seesAll;
    }

    /// <summary>The caller's object id and group ids, folded to lower case (Entra ids are GUIDs, compared without case).</summary>
    public IReadOnlySet<string> PrincipalIds { get; }

    /// <summary>The app roles that granted the operation.</summary>
    public IReadOnlySet<string> Roles { get; }

    /// <summary>
    /// No access list applies: the admin app role, or a deployment without App Service authentication, where the
    /// function key alone admits the caller and no identity can be trusted (README, Security).
    /// </summary>
    public bool SeesAll { get; }

    /// <summary>The caller's object id, when it has one: it is put on the access list of what it creates.</summary>
    public string? ObjectId { get; private init; }

    /// <summary>A caller no access list restricts.</summary>
    public static CallerAccess Unrestricted { get; } = new(new HashSet<string>(), new HashSet<string>(), seesAll: true);

    /// <param name="objectId">The caller's own object id (<c>oid</c>), when the principal has one.</param>
    /// <param name="groupIds">The ids of the groups the token names.</param>
    /// <param name="grantingRoles">The app roles the caller holds that grant the called operation.</param>
    public static CallerAccess For(string? objectId, IEnumerable<string> groupIds, IEnumerable<string> grantingRoles)
    {
        var ids = groupIds.Prepend(objectId).OfType<string>().Where(id => id.Length > 0).Select(Fold).ToHashSet(StringComparer.Ordinal);
        return new CallerAccess(ids, grantingRoles.ToHashSet(StringComparer.Ordinal), seesAll: false) { ObjectId = objectId is null ? null : Fold(objectId) };
    }

    internal static string Fold(string id) => id.Trim().ToLowerInvariant();
}
