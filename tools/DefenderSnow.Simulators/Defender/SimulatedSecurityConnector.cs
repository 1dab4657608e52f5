namespace DefenderSnow.Simulators.Defender;

/// <summary>
/// A multicloud security connector (<c>Microsoft.Security/securityConnectors</c>). An organisation's master
/// connector has <see cref="MembershipType"/> <c>Organization</c>; the connectors Defender creates for each
/// member account or project have <c>Member</c> and name the master's <see cref="HierarchyIdentifier"/> as their
/// <see cref="ParentHierarchyId"/> (<c>environmentData.organizationalData</c>, api-version 2023-10-01-preview:
/// AwsOrganizationalDataMaster / AwsOrganizationalDataMember, GcpOrganizationalDataOrganization /
/// GcpOrganizationalDataMember in azure-rest-api-specs, specification/security/resource-manager/Microsoft.Security/
/// preview/2023-10-01-preview/securityConnectors.json).
/// </summary>
/// <param name="Id">The connector's ARM id, <c>/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Security/securityConnectors/{name}</c>.</param>
/// <param name="HierarchyIdentifier">The AWS account id or GCP project number (organisation id for a GCP master).</param>
/// <param name="EnvironmentName"><c>AWS</c> or <c>GCP</c>.</param>
/// <param name="MembershipType"><c>Organization</c>, <c>Member</c>, or null for a single account or project.</param>
/// <param name="ParentHierarchyId">A member's master's hierarchy identifier.</param>
public sealed record SimulatedSecurityConnector(
    string Id,
    string HierarchyIdentifier,
    string EnvironmentName = "AWS",
    string? MembershipType = null,
    string? ParentHierarchyId = null)
{
    public string Name => Id[(Id.LastIndexOf('/') + 1)..];

    public string SubscriptionId => Id.Split('/')[2];
}
