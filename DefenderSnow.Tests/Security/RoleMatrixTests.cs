using System.Text.Json.Nodes;
using DefenderSnow.Core.Access;
using DefenderSnow.Core.Storage;
using DefenderSnow.Functions.Security;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Rules;
using DefenderSnow.Tests.Sync;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Tests.Security;

/// <summary>
/// The whole role matrix, held from outside <see cref="FunctionRoles"/>: the table below is the reviewed one, and for
/// every function every app role outside its list is refused with 403 on real ids with a valid body, changing nothing
/// in Table Storage, Key Vault, ServiceNow, Defender or the queues. A role slipped into the table (Reader on
/// EnableWebhook, which answers with a new webhook secret) fails both the table check and the call (issue 26, item 7).
/// </summary>
[TestFixture]
public sealed class RoleMatrixTests : IUsesHarness
{
    private const string Caller = "mallory@contoso.com";

    /// <summary>Mallory is on the integration's access list with every role: only the app role can refuse her.</summary>
    private static readonly string CallerObjectId = Guid.NewGuid().ToString("D");

    /// <summary>Who may call what: change it only together with <see cref="FunctionRoles"/> and the README's role table.</summary>
    private static readonly Dictionary<string, string[]> Matrix = new(StringComparer.Ordinal)
    {
        ["CreateIntegration"] = [AppRoles.IntegrationsManage],
        ["UpdateIntegration"] = [AppRoles.IntegrationsManage],
        ["DeleteIntegration"] = [AppRoles.IntegrationsManage],
        ["ListIntegrations"] = [AppRoles.Read, AppRoles.IntegrationsManage],
        ["GetIntegration"] = [AppRoles.Read, AppRoles.IntegrationsManage],
        ["EnableWebhook"] = [AppRoles.IntegrationsManage],
        ["DisableWebhook"] = [AppRoles.IntegrationsManage],
        ["CreateAssignment"] = [AppRoles.AssignmentsManage],
        ["UpdateAssignment"] = [AppRoles.AssignmentsManage],
        ["DeleteAssignment"] = [AppRoles.AssignmentsManage],
        ["ListAssignments"] = [AppRoles.Read, AppRoles.AssignmentsManage],
        ["GetAssignment"] = [AppRoles.Read, AppRoles.AssignmentsManage],
        ["CreateRule"] = [AppRoles.AssignmentsManage],
        ["UpdateRule"] = [AppRoles.AssignmentsManage],
        ["DeleteRule"] = [AppRoles.AssignmentsManage],
        ["EvaluateRule"] = [AppRoles.AssignmentsManage],
        ["ListRules"] = [AppRoles.Read, AppRoles.AssignmentsManage],
        ["GetRule"] = [AppRoles.Read, AppRoles.AssignmentsManage],
        ["RunSync"] = [AppRoles.SyncRun],
        ["ListSyncRuns"] = [AppRoles.Read, AppRoles.SyncRun],
        ["GetSyncRun"] = [AppRoles.Read, AppRoles.SyncRun],
        ["Readiness"] = [AppRoles.Read],
    };

    private static readonly WorkQueue[] Queues = Enum.GetValues<WorkQueue>();

    private IntegrationHarness _harness = null!;
    private string _integrationId = null!;
    private string _assignmentId = null!;
    private string _ruleId = null!;
    private string _runId = null!;
    private string _assessment = null!;
    private string _freeResource = null!;

    private TestApp App => _harness.App;

    /// <summary>Every (function, role) pair the matrix refuses, and for each function one principal holding all of them.</summary>
    public static IEnumerable<TestCaseData> RefusedPairs() =>
        Matrix.SelectMany(f => AppRoles.All.Except(f.Value).Select(r => new TestCaseData(f.Key, new[] { r }).SetName($"{{m}}({f.Key}, {r})"))
            .Append(new TestCaseData(f.Key, AppRoles.All.Except(f.Value).ToArray()).SetName($"{{m}}({f.Key}, every other role)")));

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartAppWithOneOfEverything()
    {
        _harness = await IntegrationHarness.StartAsync(settings =>
        {
            SyncDriver.AdjustSettings(settings);
            settings["Authorization:RequireRoles"] = "true";
            settings["WEBSITE_AUTH_ENABLED"] = "True";
        });
        var sync = new SyncDriver(_harness);
        var rules = new RuleDriver(_harness, sync);
        var admin = Principals.Headers("admin@contoso.com", [.. AppRoles.All]);

        var body = _harness.ValidBody();
        body["access"] = new[] { new { principalId = CallerObjectId, roles = AccessRoles.All } };
        var integration = await CallAsync("CreateIntegration", [], FunctionCall.Json(body), admin);
        Assert.That(integration.Status, Is.EqualTo(201), integration.ToString());
        _integrationId = integration.Json["id"]!.GetValue<string>();

        _assessment = rules.NewRecommendation();
        var resource = LiveAssignments.NewResourceId(IntegrationHarness.SubscriptionScope);
        _freeResource = LiveAssignments.NewResourceId(IntegrationHarness.SubscriptionScope);
        App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(resource, _assessment, SimulatedAssessmentStatus.Unhealthy));
        App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(_freeResource, _assessment, SimulatedAssessmentStatus.Unhealthy));
        var assignment = await CallAsync("CreateAssignment", [], AssignmentBody(resource), admin);
        Assert.That(assignment.Status, Is.EqualTo(201), assignment.ToString());
        _assignmentId = assignment.Json["id"]!.GetValue<string>();

        var rule = await CallAsync("CreateRule", [_integrationId], FunctionCall.Json(RuleDriver.RuleBody(_assessment)), admin);
        Assert.That(rule.Status, Is.EqualTo(201), rule.ToString());
        _ruleId = rule.Json["id"]!.GetValue<string>();

        var run = await CallAsync("RunSync", [], FunctionCall.Json(new { integrationId = _integrationId }), admin);
        Assert.That(run.Status, Is.EqualTo(202), run.ToString());
        _runId = run.Json["runId"]!.GetValue<string>();
        await sync.DeliverSyncMessagesAsync();
    }

    [Test]
    public void The_role_table_is_the_reviewed_matrix()
    {
        var protectedFunctions = HttpFunctionCatalog.All.Where(f => f.Level != AuthorizationLevel.Anonymous).Select(f => f.Name);

        Assert.That(protectedFunctions, Is.EquivalentTo(Matrix.Keys), "a new function is reviewed into the matrix before it ships");
        Assert.Multiple(() =>
        {
            foreach (var (function, roles) in Matrix)
            {
                Assert.That(FunctionRoles.For(function), Is.EquivalentTo(roles), function);
            }
        });
    }

    [TestCaseSource(nameof(RefusedPairs))]
    public async Task A_role_outside_the_functions_list_gets_403_and_changes_nothing(string function, string[] roles)
    {
        var before = await StateAsync();

        var response = await CallAsync(function, RouteValues(function), Body(function), CallerHeaders(roles));

        var after = await StateAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(403), response.ToString());
            Assert.That(response.Json["detail"]?.GetValue<string>(), Does.Contain($"'{Matrix[function][0]}'"));
            Assert.That(after, Is.EqualTo(before), "the call changed the stored state");
        });
    }

    [Test]
    public async Task The_calls_of_the_refusal_tests_are_ones_a_granted_role_would_carry_out()
    {
        // Without this, a 403 could hide a call that would have failed anyway: each refused call, made by its first role,
        // passes the check and is not refused as malformed. (Reads only: writes would change what the others compare.)
        foreach (var function in Matrix.Keys.Where(f => f.StartsWith("Get", StringComparison.Ordinal) || f.StartsWith("List", StringComparison.Ordinal)))
        {
            var response = await CallAsync(function, RouteValues(function), Body(function), CallerHeaders(Matrix[function][0]));

            Assert.That(response.Status, Is.EqualTo(200), $"{function}: {response}");
        }
    }

    private static Dictionary<string, string> CallerHeaders(params string[] roles) => Principals.Headers(Caller, CallerObjectId, [], roles);

    /// <summary>Everything stored or written upstream, plus the messages waiting on every queue.</summary>
    private async Task<string> StateAsync()
    {
        var state = await StateSnapshot.TakeAsync(App);
        foreach (var queue in Queues)
        {
            state += $"queue {queue} {(await App.Queues.PeekAsync(queue)).Count}\n";
        }

        return state;
    }

    /// <summary>The real ids each route names: a wrongly granted call would act on something that exists.</summary>
    private string[] RouteValues(string function) =>
        HttpFunctionCatalog.Get(function).RouteParameters.Select(p => p switch
        {
            "ruleId" => _ruleId,
            "runId" => _runId,
            "id" when function.Contains("Assignment", StringComparison.Ordinal) => _assignmentId,
            "id" => _integrationId,
            _ => throw new InvalidOperationException($"{function} has a route parameter '{p}' this test does not know."),
        }).ToArray();

    /// <summary>A valid body for each function that takes one, so a wrongly granted call would do its work.</summary>
    private string? Body(string function) => function switch
    {
        "CreateIntegration" => FunctionCall.Json(_harness.ValidBody()),
        "UpdateIntegration" => FunctionCall.Json(new { name = "renamed-" + Guid.NewGuid().ToString("N")[..6] }),
        "CreateAssignment" => AssignmentBody(_freeResource),
        "UpdateAssignment" => FunctionCall.Json(new { remediationTimeframeDays = 10 }),
        "CreateRule" => FunctionCall.Json(RuleDriver.RuleBody(_assessment, priority: 5)),
        "UpdateRule" => FunctionCall.Json(new { name = "renamed-" + Guid.NewGuid().ToString("N")[..6] }),
        "EvaluateRule" => FunctionCall.Json(new { dryRun = false }),
        "RunSync" => FunctionCall.Json(new { integrationId = _integrationId }),
        _ when HttpFunctionCatalog.Get(function).Method is "POST" or "PATCH" => "{}",
        _ => null,
    };

    private string AssignmentBody(string resource) => new JsonObject
    {
        ["integrationId"] = _integrationId,
        ["assessmentName"] = _assessment,
        ["resourceId"] = resource,
        ["ticketType"] = "incident",
        ["assignedTo"] = SyncDriver.OwnerAEmail,
        ["caller"] = SyncDriver.OwnerA,
        ["remediationTimeframeDays"] = 30,
    }.ToJsonString();

    private Task<FunctionResponse> CallAsync(string function, string[] routeValues, string? body, IDictionary<string, string> headers) =>
        _harness.Record(HttpFunctionCatalog.InvokeAsync(
            App.Services, HttpFunctionCatalog.Get(function), routeValues, body, function == "ListAssignments" ? "integrationId=" + _integrationId : string.Empty, headers));
}
