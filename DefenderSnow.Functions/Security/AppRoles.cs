namespace DefenderSnow.Functions.Security;

/// <summary>
/// The app roles of DefenderSnow's Entra ID app registration (<c>infra/app-roles.json</c>). A
/// <c>*.Manage</c> role implies reading the same things.
/// </summary>
public static class AppRoles
{
    public const string Read = "DefenderSnow.Read";
    public const string IntegrationsManage = "Integrations.Manage";
    public const string AssignmentsManage = "Assignments.Manage";
    public const string SyncRun = "Sync.Run";

    public static IReadOnlyList<string> All { get; } = [Read, IntegrationsManage, AssignmentsManage, SyncRun];
}
