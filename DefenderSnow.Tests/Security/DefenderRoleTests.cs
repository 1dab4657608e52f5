using System.Reflection;
using System.Text.RegularExpressions;
using DefenderSnow.Core.Defender;
using DefenderSnow.Tests.Infrastructure;
using Refit;

namespace DefenderSnow.Tests.Security;

/// <summary>
/// The custom role of <c>infra/app/defender-role.bicep</c> against the Resource Manager calls the client can make:
/// every method of <see cref="IResourceManagerApi"/> (its HTTP method and path template) maps to one operation in
/// <see cref="Operations"/>, and the role grants exactly those operations. A new Refit method without a row, a
/// changed path, or an action dropped from (or added to) the role fails here.
/// </summary>
[Category("Infrastructure")]
public sealed partial class DefenderRoleTests
{
    private static readonly string[] EmptyPermissionLists = ["notActions", "dataActions", "notDataActions"];

    private const string GovernanceAssignment = "/{**resourceId}/providers/Microsoft.Security/assessments/{assessmentName}/governanceAssignments/{assignmentKey}";

    /// <summary>
    /// (HTTP method, path template without the query) → the Resource Manager operation Azure RBAC checks for it
    /// (https://learn.microsoft.com/azure/role-based-access-control/resource-provider-operations).
    /// </summary>
    private static readonly Dictionary<(string Method, string Path), string> Operations = new()
    {
        [("PUT", GovernanceAssignment)] = "Microsoft.Security/assessments/governanceAssignments/write",
        [("GET", GovernanceAssignment)] = "Microsoft.Security/assessments/governanceAssignments/read",
        [("DELETE", GovernanceAssignment)] = "Microsoft.Security/assessments/governanceAssignments/delete",
        [("GET", "/{**resourceId}/providers/Microsoft.Security/assessments/{assessmentName}/governanceAssignments")] = "Microsoft.Security/assessments/governanceAssignments/read",
        [("GET", "/{**resourceId}/providers/Microsoft.Security/assessments/{assessmentName}")] = "Microsoft.Security/assessments/read",
        [("GET", "/subscriptions/{subscriptionId}/providers/Microsoft.Security/assessments")] = "Microsoft.Security/assessments/read",
        [("GET", "/providers/Microsoft.Security/assessmentMetadata/{assessmentName}")] = "Microsoft.Security/assessmentMetadata/read",
        [("GET", "/subscriptions/{subscriptionId}/providers/Microsoft.Security/assessmentMetadata/{assessmentName}")] = "Microsoft.Security/assessmentMetadata/read",
        [("GET", "/subscriptions/{subscriptionId}/providers/Microsoft.Security/assessmentMetadata")] = "Microsoft.Security/assessmentMetadata/read",
        [("GET", "/providers/Microsoft.Management/managementGroups/{groupName}/descendants")] = "Microsoft.Management/managementGroups/descendants/read",
        [("GET", "/subscriptions/{subscriptionId}/providers/Microsoft.Security/securityConnectors")] = "Microsoft.Security/securityConnectors/read",
        [("GET", "/subscriptions/{subscriptionId}/resources")] = "Microsoft.Resources/subscriptions/resources/read",
    };

    [Test]
    public void Every_call_the_resource_manager_client_can_make_has_an_operation()
    {
        var calls = Calls();
        var unmapped = calls.Where(call => !Operations.ContainsKey(call.Key)).Select(call => $"{call.Value}: {call.Key.Method} {call.Key.Path}");
        var stale = Operations.Keys.Where(key => !calls.ContainsKey(key)).Select(key => $"{key.Method} {key.Path}");

        Assert.Multiple(() =>
        {
            Assert.That(calls, Has.Count.EqualTo(typeof(IResourceManagerApi).GetMethods().Length), "one Refit attribute per method");
            Assert.That(unmapped, Is.Empty, "IResourceManagerApi methods without an operation in DefenderRoleTests.Operations");
            Assert.That(stale, Is.Empty, "operations for calls IResourceManagerApi no longer makes");
        });
    }

    [Test]
    public void The_defender_role_grants_exactly_the_operations_the_client_calls()
    {
        var actions = RoleActions();

        Assert.Multiple(() =>
        {
            Assert.That(Operations.Values.Distinct().Except(actions), Is.Empty, "operations the client calls that the role does not grant");
            Assert.That(actions.Except(Operations.Values), Is.Empty, "actions the role grants that no call needs");
            Assert.That(actions.Where(a => a.Contains('*', StringComparison.Ordinal)), Is.Empty, "no wildcards");
        });
    }

    [Test]
    public void The_defender_role_has_no_data_actions_or_exclusions()
    {
        var text = RoleBicep();

        // A role assignable at a management group may have no data actions; the app needs none.
        Assert.That(EmptyLists().Matches(text).Select(m => m.Groups["name"].Value),
            Is.EquivalentTo(EmptyPermissionLists));
    }

    [Test]
    public void The_identity_has_no_blob_data_owner_role()
    {
        var rbac = File.ReadAllText(Path.Combine(Azurite.RepositoryRoot(), "infra", "app", "rbac.bicep"));

        Assert.That(rbac, Does.Not.Contain("b7e6dc6d-f1e8-4753-8033-0f276bb0955b"), "Storage Blob Data Owner");
    }

    private static Dictionary<(string Method, string Path), string> Calls() =>
        typeof(IResourceManagerApi).GetMethods()
            .Select(method => (Method: method, Attribute: method.GetCustomAttribute<HttpMethodAttribute>()))
            .Where(pair => pair.Attribute is not null)
            .ToDictionary(
                pair => (pair.Attribute!.Method.Method.ToUpperInvariant(), pair.Attribute.Path.Split('?')[0]),
                pair => pair.Method.Name);

    private static string RoleBicep() =>
        File.ReadAllText(Path.Combine(Azurite.RepositoryRoot(), "infra", "app", "defender-role.bicep"));

    private static List<string> RoleActions()
    {
        var text = RoleBicep();
        var start = ActionsList().Match(text);
        Assert.That(start.Success, Is.True, "defender-role.bicep has no 'actions: [' list");
        var end = text.IndexOf(']', start.Index + start.Length);
        return QuotedString().Matches(text[(start.Index + start.Length)..end]).Select(m => m.Groups["value"].Value).ToList();
    }

    [GeneratedRegex(@"^\s*actions:\s*\[", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ActionsList();

    [GeneratedRegex(@"^\s*(?<name>\w+):\s*\[\]", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex EmptyLists();

    [GeneratedRegex(@"'(?<value>[^']*)'", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedString();
}
