namespace DefenderSnow.Core.Defender;

/// <summary>
/// A multicloud security connector (<c>Microsoft.Security/securityConnectors</c>). The master connector of an AWS
/// organisation or GCP organisation has <see cref="MembershipType"/> <c>Organization</c>; Defender creates a member
/// connector per account or project, with <c>Member</c> and the master's <see cref="HierarchyIdentifier"/> as its
/// <see cref="ParentHierarchyId"/>. The resources Defender reads through a connector lie below the connector's id.
/// </summary>
public sealed record SecurityConnector(string Id, string? HierarchyIdentifier, string? EnvironmentName, string? MembershipType, string? ParentHierarchyId)
{
    public const string Organization = "Organization";
    public const string Member = "Member";

    /// <summary>Whether this connector is a member of the organisation whose master connector is <paramref name="master"/>.</summary>
    public bool IsMemberOf(SecurityConnector master) =>
        string.Equals(MembershipType, Member, StringComparison.OrdinalIgnoreCase)
        && master.HierarchyIdentifier is { Length: > 0 } parent
        && string.Equals(ParentHierarchyId, parent, StringComparison.OrdinalIgnoreCase)
        && string.Equals(EnvironmentName, master.EnvironmentName, StringComparison.OrdinalIgnoreCase);
}
