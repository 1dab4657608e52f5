using System.Text.Json.Nodes;
using DefenderSnow.Core.Access;
using DefenderSnow.Core.Storage;
using DefenderSnow.Functions.Security;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.Security;

/// <summary>
/// Integration-scoped access (issue 26, H1): Eve holds every app role but Admin and is on the access list of her own
/// integration only. For every function that reaches an integration by id, a call on the other team's integration
/// answers 404, exactly as for an id that does not exist, and changes nothing in Table Storage, Key Vault, ServiceNow,
/// Defender or the queues; lists hold only what she may reach; the admin app role reaches everything.
/// </summary>
[TestFixture]
public sealed class AccessMatrixTests
{
    private static readonly string EveId = Guid.NewGuid().ToString("D");
    private static readonly string TeamGroupId = Guid.NewGuid().ToString("D");
    private static readonly string[] EveRoles = [.. AppRoles.All.Except([AppRoles.Admin])];
    private static readonly WorkQueue[] Queues = Enum.GetValues<WorkQueue>();

    /// <summary>Every function that names an integration, or something of one, by id: each must hide the other team's.</summary>
    private static readonly string[] ScopedFunctions = ["GetIntegration", "UpdateIntegration", "DeleteIntegration"];

    private IntegrationHarness _harness = null!;
    private string _theirs = null!;
    private string _eves = null!;

    private TestApp App => _harness.App;

    private static Dictionary<string, string> Admin => Principals.Headers("admin@contoso.com", Guid.NewGuid().ToString("D"), [], [.. AppRoles.All]);

    private static Dictionary<string, string> Eve => Principals.Headers("eve@contoso.com", EveId, [], EveRoles);

    public static IEnumerable<string> Functions() => ScopedFunctions;

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
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _harness.DisposeAsync();

    [SetUp]
    public void MarkLogs() => _harness.BeginTest();

    [TearDown]
    public Task NoSecretInLogsResponsesOrTables() => _harness.AssertNoSecretInLogsResponsesOrTablesAsync();

    [TestCaseSource(nameof(Functions))]
    public async Task A_caller_not_on_the_integrations_list_gets_404_and_changes_nothing(string function)
    {
        var before = await StateAsync();

        var response = await CallAsync(function, _theirs, Eve);

        var after = await StateAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(404), response.ToString());
            Assert.That(response.Body, Does.Not.Contain("access list"), "the answer must not say the integration exists");
            Assert.That(after, Is.EqualTo(before), "the call changed the stored state");
        });
    }

    [TestCaseSource(nameof(Functions))]
    public async Task The_same_call_reaches_the_callers_own_integration(string function)
    {
        // Without this, a 404 could hide a call that fails for everyone. Deleting is left out: it would end the fixture.
        if (function == "DeleteIntegration")
        {
            Assert.Pass("covered by A_member_of_a_listed_group_reaches_the_integration");
        }

        var response = await CallAsync(function, _eves, Eve);

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
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
        var response = await CallAsync("GetIntegration", _theirs, Admin);

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
    }

    [Test]
    public async Task A_member_of_a_listed_group_reaches_the_integration()
    {
        var id = await CreateAsync(new { principalId = TeamGroupId, roles = AccessRoles.All });
        var member = Principals.Headers("grace@contoso.com", Guid.NewGuid().ToString("D"), [TeamGroupId], EveRoles);

        var read = await CallAsync("GetIntegration", id, member);
        var deleted = await CallAsync("DeleteIntegration", id, member);

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

        var response = await CallAsync("UpdateIntegration", id, Principals.Headers("rita@contoso.com", reader, [], EveRoles));

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
        var response = await CallAsync("ListIntegrations", null, headers, "top=50");
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

    /// <summary>A valid call of the function on <paramref name="integrationId"/>, so a wrongly granted one would do its work.</summary>
    private Task<FunctionResponse> CallAsync(string function, string? integrationId, Dictionary<string, string> headers, string query = "")
    {
        var body = function switch
        {
            "UpdateIntegration" => FunctionCall.Json(new { name = "renamed-" + Guid.NewGuid().ToString("N")[..6] }),
            _ => null,
        };
        var routeValues = HttpFunctionCatalog.Get(function).RouteParameters.Select(p => p switch
        {
            "id" => integrationId!,
            _ => throw new InvalidOperationException($"{function} has a route parameter '{p}' this test does not know."),
        }).ToArray();
        return _harness.Record(HttpFunctionCatalog.InvokeAsync(App.Services, HttpFunctionCatalog.Get(function), routeValues, body, query, headers));
    }
}
