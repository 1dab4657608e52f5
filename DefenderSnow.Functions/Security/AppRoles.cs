using DefenderSnow.Core.Access;

namespace DefenderSnow.Functions.Security;

/// <summary>
/// The app roles of DefenderSnow's Entra ID app registration (<c>infra/app-roles.json</c>). A
/// <c>*.Manage</c> role implies reading the same things. The first four are also the roles of integration access
/// lists (<see cref="AccessRoles"/>).
/// </summary>
public static class AppRoles
{
    public const string Read = AccessRoles.Read;
    public const string IntegrationsManage = AccessRoles.IntegrationsManage;
    public const string AssignmentsManage = AccessRoles.AssignmentsManage;
    public const string SyncRun = AccessRoles.SyncRun;

    /// <summary>
    /// Sees every integration, whatever its access list says (issue 26, H1). It grants no function by itself: an admin
    /// still needs the function's own role, so an auditor can hold Read and Admin and change nothing.
    /// </summary>
    public const string Admin = "DefenderSnow.Admin";

    public static IReadOnlyList<string> All { get; } = [Read, IntegrationsManage, AssignmentsManage, SyncRun, Admin];
}
