using System.Text.Json.Nodes;
using DefenderSnow.Core.Access;
using DefenderSnow.Core.Storage;
using DefenderSnow.Functions.Security;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Rules;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.Security;

/// <summary>
/// Integration-scoped access (issue 26, H1): Eve holds every app role but Admin and is on the access list of her own
/// integration only. For every function that reaches an integration by id, a call on the other team's integration
/// answers 404, exactly as for an id that does not exist, and changes nothing in Table Storage, Key Vault, ServiceNow,
/// Defender or the queues; lists hold only what she may reach; the admin app role reaches everything.
/// </summary>
[TestFixture]
public sealed class AccessMatrixTests : IUsesHarness
{
    private static readonly string EveId = Guid.NewGuid().ToString("D");
    private static readonly string TeamGroupId = Guid.NewGuid().ToString("D");
    private static readonly string[] EveRoles = [.. AppRoles.All.Except([AppRoles.Admin])];
    private static readonly WorkQueue[] Queues = Enum.GetValues<WorkQueue>();

    /// <summary>
    /// Every function that names an integration, or something of one, by id: each must hide the other team's. The two
    /// lists that name none are held by the list tests below; Readiness and CreateIntegration reach no integration.
    /// </summary>
    private static readonly string[] ScopedFunctions =
    [
        "GetIntegration", "UpdateIntegration", "DeleteIntegration", "EnableWebhook", "DisableWebhook",
        "CreateAssignment", "UpdateAssignment", "DeleteAssignment", "ListAssignments", "GetAssignment",
        "CreateRule", "UpdateRule", "DeleteRule", "EvaluateRule", "ListRules", "GetRule",
        "RunSync", "GetSyncRun",
    ];

    private static readonly string[] Unscoped = ["CreateIntegration", "ListIntegrations", "ListSyncRuns", "Readiness"];

    private IntegrationHarness _harness = null!;
    private string _assessment = null!;
    private string _theirs = null!;
    private string _eves = null!;
    private Team _theirTeam = null!;
    private Team _eveTeam = null!;
    private string _sharedRun = null!;
    private string _free = null!;

    private TestApp App => _harness.App;

    private static Dictionary<string, string> Admin => Principals.Headers("admin@contoso.com", Guid.NewGuid().ToString("D"), [], [.. AppRoles.All]);

    private static Dictionary<string, string> Eve => Principals.Headers("eve@contoso.com", EveId, [], EveRoles);

    public static IEnumerable<string> Functions() => ScopedFunctions;

    /// <summary>The reads among them: their granted form can run here without changing what the others compare.</summary>
    public static IEnumerable<string> Reads() => ScopedFunctions.Where(f => f.StartsWith("Get", StringComparison.Ordinal) || f.StartsWith("List", StringComparison.Ordinal));

    [OneTimeSetUp]
    public async Task StartAppWithTwoTeams()
    {
        _harness = await IntegrationHarness.StartAsync(settings =>
        {
            SyncDriver.AdjustSettings(settings);
            settings["Authorization:RequireRoles"] = "true";
            settings["WEBSITE_AUTH_ENABLED"] = "True";
        });

        _theirs = await CreateAsync(new { principalId = TeamGroupId, roles = AccessRoles.All });
        _eves = await CreateAsync(new { principalId = EveId, roles = AccessRoles.All });

        var sync = new SyncDriver(_harness);
        _assessment = new RuleDriver(_harness, sync).NewRecommendation();
        _free = LiveAssignments.NewResourceId(IntegrationHarness.SubscriptionScope);
        App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(_free, _assessment, SimulatedAssessmentStatus.Unhealthy));
        _theirTeam = await SeedAsync(_theirs, sync);
        _eveTeam = await SeedAsync(_eves, sync);
        var shared = await CallAsync("RunSync", null, Admin, body: "{}");
        Assert.That(shared.Status, Is.EqualTo(202), shared.ToString());
        _sharedRun = shared.Json["runId"]!.GetValue<string>();
        await sync.DeliverSyncMessagesAsync();
    }

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [TestCaseSource(nameof(Functions))]
    public async Task A_caller_not_on_the_integrations_list_gets_404_and_changes_nothing(string function)
    {
        var before = await StateAsync();

        var response = await CallAsync(function, _theirTeam, Eve);

        var after = await StateAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(404), response.ToString());
            Assert.That(response.Body, Does.Not.Contain("access list"), "the answer must not say the integration exists");
            Assert.That(after, Is.EqualTo(before), "the call changed the stored state");
        });
    }

    [TestCaseSource(nameof(Reads))]
    public async Task The_same_read_reaches_the_callers_own_integration(string function)
    {
        // Without this, a 404 could hide a call that fails for everyone. Writes would change what the others compare;
        // the group test below deletes, and the role matrix carries out every write of a caller on the list.
        var response = await CallAsync(function, _eveTeam, Eve);

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
    }

    [Test]
    public void Every_function_is_either_integration_scoped_or_held_by_a_list_test() =>
        Assert.That(ScopedFunctions.Concat(Unscoped), Is.EquivalentTo(FunctionRoles.Functions), "a new function is reviewed into this matrix before it ships");

    [Test]
    public async Task A_sync_run_shows_only_the_rows_of_integrations_the_caller_reaches()
    {
        var eves = await CallAsync("GetSyncRun", null, Eve, runId: _sharedRun);
        var admins = await CallAsync("GetSyncRun", null, Admin, runId: _sharedRun);
        var list = await CallAsync("ListSyncRuns", null, Eve, query: "top=20");

        Assert.Multiple(() =>
        {
            Assert.That(RowIds(eves.Json), Does.Contain(_eves).And.Not.Contain(_theirs), eves.ToString());
            Assert.That(RowIds(admins.Json), Does.Contain(_eves).And.Contain(_theirs), admins.ToString());
            var runs = list.Json["value"]!.AsArray();
            Assert.That(runs.Select(r => r!["runId"]!.GetValue<string>()), Does.Not.Contain(_theirTeam.RunId), "a run of only their integration is left out");
            Assert.That(runs.SelectMany(r => RowIds(r!)), Does.Not.Contain(_theirs));
        });
    }

    [Test]
    public async Task A_sync_run_without_an_integration_id_covers_only_what_the_caller_reaches()
    {
        var response = await CallAsync("RunSync", null, Eve, body: "{}");
        await new SyncDriver(_harness).DeliverSyncMessagesAsync();

        Assert.That(response.Status, Is.EqualTo(202), response.ToString());
        Assert.That(RowIds(response.Json), Is.EqualTo(new[] { _eves }));
    }

    [Test]
    public async Task The_integration_list_holds_only_the_callers_and_the_admin_sees_all()
    {
        var eves = await ListAsync(Eve);
        var admins = await ListAsync(Admin);

        Assert.Multiple(() =>
        {
            Assert.That(eves, Does.Contain(_eves).And.Not.Contain(_theirs));
            Assert.That(admins, Does.Contain(_eves).And.Contain(_theirs));
        });
    }

    [Test]
    public async Task The_admin_role_reaches_an_integration_whose_list_does_not_name_it()
    {
        var response = await CallAsync("GetIntegration", _theirTeam, Admin);

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
    }

    [Test]
    public async Task A_member_of_a_listed_group_reaches_the_integration()
    {
        var id = await CreateAsync(new { principalId = TeamGroupId, roles = AccessRoles.All });
        var member = Principals.Headers("grace@contoso.com", Guid.NewGuid().ToString("D"), [TeamGroupId], EveRoles);

        var team = new Team(id, string.Empty, string.Empty, string.Empty);
        var read = await CallAsync("GetIntegration", team, member);
        var deleted = await CallAsync("DeleteIntegration", team, member);

        Assert.Multiple(() =>
        {
            Assert.That(read.Status, Is.EqualTo(200), read.ToString());
            Assert.That(deleted.Status, Is.EqualTo(204), deleted.ToString());
        });
    }

    [Test]
    public async Task A_listed_caller_without_a_granting_role_gets_403_naming_it()
    {
        var reader = Guid.NewGuid().ToString("D");
        var id = await CreateAsync(new { principalId = reader, roles = new[] { AccessRoles.Read } });
        var before = await StateAsync();

        var response = await CallAsync("UpdateIntegration", new Team(id, string.Empty, string.Empty, string.Empty), Principals.Headers("rita@contoso.com", reader, [], EveRoles));

        Assert.Multiple(async () =>
        {
            Assert.That(response.Status, Is.EqualTo(403), response.ToString());
            Assert.That(response.Json["detail"]?.GetValue<string>(), Does.Contain($"'{AccessRoles.IntegrationsManage}'"));
            Assert.That(await StateAsync(), Is.EqualTo(before));
        });
    }

    [Test]
    public async Task The_creator_is_put_on_the_list_it_did_not_name_itself_on()
    {
        var creator = Guid.NewGuid().ToString("D");
        var body = _harness.ValidBody();
        body["access"] = Array.Empty<object>();

        var created = await _harness.CreateAsync(body, Principals.Headers("carol@contoso.com", creator, [], EveRoles));

        Assert.That(created.Status, Is.EqualTo(201), created.ToString());
        var access = created.Json["access"]!.AsArray();
        Assert.That(access.Select(e => e!["principalId"]!.GetValue<string>()), Is.EqualTo(new[] { creator }));
        Assert.That(access[0]!["roles"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { AccessRoles.IntegrationsManage }));
    }

    [TestCase("not-a-guid", "DefenderSnow.Read", "access[0].principalId")]
    [TestCase("6f1e0b64-1d4c-4a57-9a55-0f4a3c1b2d11", "Owner", "access[0].roles")]
    public async Task An_access_entry_that_is_not_an_object_id_with_known_roles_is_refused(string principalId, string role, string field)
    {
        var body = _harness.ValidBody();
        body["access"] = new[] { new { principalId, roles = new[] { role } } };

        var response = await _harness.CreateAsync(body, Admin);

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(400), response.ToString());
            Assert.That(response.Json["errors"]?[field], Is.Not.Null, response.ToString());
        });
    }

    private static IEnumerable<string> RowIds(JsonNode run) => run["integrations"]!.AsArray().Select(i => i!["integrationId"]!.GetValue<string>());

    /// <summary>One of everything on an integration: an assignment, a rule and a finished run.</summary>
    private async Task<Team> SeedAsync(string integrationId, SyncDriver sync)
    {
        var resource = LiveAssignments.NewResourceId(IntegrationHarness.SubscriptionScope);
        App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(resource, _assessment, SimulatedAssessmentStatus.Unhealthy));
        var team = new Team(integrationId, string.Empty, string.Empty, string.Empty);
        var assignment = await CallAsync("CreateAssignment", team, Admin, body: AssignmentBody(integrationId, resource));
        Assert.That(assignment.Status, Is.EqualTo(201), assignment.ToString());
        var rule = await CallAsync("CreateRule", team, Admin, body: FunctionCall.Json(RuleDriver.RuleBody(_assessment)));
        Assert.That(rule.Status, Is.EqualTo(201), rule.ToString());
        var run = await CallAsync("RunSync", team, Admin, body: FunctionCall.Json(new { integrationId }));
        Assert.That(run.Status, Is.EqualTo(202), run.ToString());
        await sync.DeliverSyncMessagesAsync();
        return team with { AssignmentId = assignment.Json["id"]!.GetValue<string>(), RuleId = rule.Json["id"]!.GetValue<string>(), RunId = run.Json["runId"]!.GetValue<string>() };
    }

    private string AssignmentBody(string integrationId, string resource) => new JsonObject
    {
        ["integrationId"] = integrationId,
        ["assessmentName"] = _assessment,
        ["resourceId"] = resource,
        ["ticketType"] = "incident",
        ["assignedTo"] = SyncDriver.OwnerAEmail,
        ["caller"] = SyncDriver.OwnerA,
        ["remediationTimeframeDays"] = 30,
    }.ToJsonString();

    private async Task<string> CreateAsync(object entry)
    {
        var body = _harness.ValidBody();
        body["access"] = new[] { entry };
        var response = await _harness.CreateAsync(body, Admin);
        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        return response.Json["id"]!.GetValue<string>();
    }

    private async Task<List<string>> ListAsync(Dictionary<string, string> headers)
    {
        var response = await CallAsync("ListIntegrations", null, headers, query: "top=50");
        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        return response.Json["value"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToList();
    }

    private async Task<string> StateAsync()
    {
        var state = await StateSnapshot.TakeAsync(App);
        foreach (var queue in Queues)
        {
            state += $"queue {queue} {(await App.Queues.PeekAsync(queue)).Count}\n";
        }

        return state;
    }

    /// <summary>A valid call of the function on the team's things, so a wrongly granted one would do its work.</summary>
    private Task<FunctionResponse> CallAsync(string function, Team team, Dictionary<string, string> headers)
    {
        var body = function switch
        {
            "UpdateIntegration" => FunctionCall.Json(new { name = "renamed-" + Guid.NewGuid().ToString("N")[..6] }),
            "CreateAssignment" => AssignmentBody(team.IntegrationId, _free),
            "UpdateAssignment" => FunctionCall.Json(new { remediationTimeframeDays = 10 }),
            "CreateRule" => FunctionCall.Json(RuleDriver.RuleBody(_assessment, priority: 5)),
            "UpdateRule" => FunctionCall.Json(new { name = "renamed-" + Guid.NewGuid().ToString("N")[..6] }),
            "EvaluateRule" => FunctionCall.Json(new { dryRun = false }),
            "RunSync" => FunctionCall.Json(new { integrationId = team.IntegrationId }),
            _ => null,
        };
        var query = function == "ListAssignments" ? "integrationId=" + team.IntegrationId : string.Empty;
        return CallAsync(function, team, headers, query, body);
    }

    private Task<FunctionResponse> CallAsync(string function, Team? team, Dictionary<string, string> headers, string query = "", string? body = null, string? runId = null)
    {
        var routeValues = HttpFunctionCatalog.Get(function).RouteParameters.Select(p => p switch
        {
            "ruleId" => team!.RuleId,
            "runId" => runId ?? team!.RunId,
            "id" when function.Contains("Assignment", StringComparison.Ordinal) => team!.AssignmentId,
            "id" => team!.IntegrationId,
            _ => throw new InvalidOperationException($"{function} has a route parameter '{p}' this test does not know."),
        }).ToArray();
        return _harness.Record(HttpFunctionCatalog.InvokeAsync(App.Services, HttpFunctionCatalog.Get(function), routeValues, body, query, headers));
    }

    /// <summary>What one team has, by id.</summary>
    private sealed record Team(string IntegrationId, string AssignmentId, string RuleId, string RunId);
}
