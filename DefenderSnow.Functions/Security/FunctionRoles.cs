using System.Collections.Frozen;

namespace DefenderSnow.Functions.Security;

/// <summary>
/// Which app roles may call which HTTP function, by the function's contract name. A function that is
/// not listed is refused to everyone when roles are required, so a new endpoint is closed until it is
/// given its roles here.
/// </summary>
public static class FunctionRoles
{
    private static readonly FrozenDictionary<string, string[]> Accepted = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        // The first role of each list is the one named in a 403: the least that grants the call.
        ["CreateIntegration"] = [AppRoles.IntegrationsManage],
        ["UpdateIntegration"] = [AppRoles.IntegrationsManage],
        ["DeleteIntegration"] = [AppRoles.IntegrationsManage],
        ["ListIntegrations"] = [AppRoles.Read, AppRoles.IntegrationsManage],
        ["GetIntegration"] = [AppRoles.Read, AppRoles.IntegrationsManage],
        ["CreateAssignment"] = [AppRoles.AssignmentsManage],
        ["UpdateAssignment"] = [AppRoles.AssignmentsManage],
        ["DeleteAssignment"] = [AppRoles.AssignmentsManage],
        ["ListAssignments"] = [AppRoles.Read, AppRoles.AssignmentsManage],
        ["GetAssignment"] = [AppRoles.Read, AppRoles.AssignmentsManage],
        // Rules open assignments on their own, so they take the role that may open assignments.
        ["CreateRule"] = [AppRoles.AssignmentsManage],
        ["UpdateRule"] = [AppRoles.AssignmentsManage],
        ["DeleteRule"] = [AppRoles.AssignmentsManage],
        ["EvaluateRule"] = [AppRoles.AssignmentsManage],
        ["ListRules"] = [AppRoles.Read, AppRoles.AssignmentsManage],
        ["GetRule"] = [AppRoles.Read, AppRoles.AssignmentsManage],
        ["RunSync"] = [AppRoles.SyncRun],
        // Whoever may start a run may follow it: RunSync answers with the run's Location.
        ["ListSyncRuns"] = [AppRoles.Read, AppRoles.SyncRun],
        ["GetSyncRun"] = [AppRoles.Read, AppRoles.SyncRun],
        ["EnableWebhook"] = [AppRoles.IntegrationsManage],
        ["DisableWebhook"] = [AppRoles.IntegrationsManage],
        // Readiness calls every dependency, so it is kept from anonymous callers (issue 26, M5); reading is enough.
        ["Readiness"] = [AppRoles.Read],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Anonymous functions that authenticate the request themselves and are therefore exempt from the role check (App
    /// Service authentication excludes their routes too, in infra). ServiceNow cannot sign in with Entra ID nor keep
    /// a function key safe; it signs each ticket event with the integration's webhook secret instead.
    /// </summary>
    private static readonly FrozenSet<string> SelfAuthenticated = new[] { "ReceiveTicketEvent" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The functions exempt from the role check because they verify a signature of their own.</summary>
    public static IEnumerable<string> Exempt => SelfAuthenticated;

    /// <summary>Whether <paramref name="functionName"/> is exempt from the role check (see <see cref="Exempt"/>).</summary>
    public static bool IsExempt(string functionName) => SelfAuthenticated.Contains(functionName);

    /// <summary>The functions that have roles.</summary>
    public static IEnumerable<string> Functions => Accepted.Keys;

    /// <returns>The roles that grant <paramref name="functionName"/>, or an empty list when none does.</returns>
    public static IReadOnlyList<string> For(string functionName) =>
        Accepted.TryGetValue(functionName, out var roles) ? roles : [];
}
