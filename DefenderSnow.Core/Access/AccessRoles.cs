namespace DefenderSnow.Core.Access;

/// <summary>
/// The roles a principal can hold on one integration. They carry the names of the app roles of the same meaning
/// (<c>infra/app-roles.json</c>), so one word means one right at both gates: the app role lets a caller reach a
/// function at all, the integration role lets it reach that integration through the function.
/// </summary>
public static class AccessRoles
{
    public const string Read = "DefenderSnow.Read";
    public const string IntegrationsManage = "Integrations.Manage";
    public const string AssignmentsManage = "Assignments.Manage";
    public const string SyncRun = "Sync.Run";

    /// <summary>The roles an access entry may name.</summary>
    public static IReadOnlyList<string> All { get; } = [Read, IntegrationsManage, AssignmentsManage, SyncRun];
}
