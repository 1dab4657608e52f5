using DefenderSnow.Functions.Security;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Tests.Security;

/// <summary>
/// With <c>Authorization:RequireRoles</c> on, every HTTP function but health is reached through the
/// real host's functions, found by reflection, so a new endpoint cannot miss its check.
/// </summary>
public sealed class RoleAuthorizationTests : IUsesHarness
{
    private static readonly string[] ExemptFunctions = ["ReceiveTicketEvent"];

    private IntegrationHarness _harness = null!;

    public static IEnumerable<TestCaseData> ProtectedFunctions() =>
        HttpFunctionCatalog.All.Where(f => f.Level != AuthorizationLevel.Anonymous).Select(f => new TestCaseData(f.Name).SetName($"{{m}}({f.Name})"));

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartAppRequiringRoles() => _harness = await IntegrationHarness.StartAsync(settings =>
    {
        settings["Authorization:RequireRoles"] = "true";
        settings["WEBSITE_AUTH_ENABLED"] = "True";
    });

    [Test]
    public void Every_protected_http_function_has_roles_and_only_health_and_the_exempt_functions_are_anonymous()
    {
        var functions = HttpFunctionCatalog.All;

        Assert.That(FunctionRoles.Exempt, Is.EquivalentTo(ExemptFunctions), "the exemption is explicit and short");
        // The retired ticket-event route answers 410 and does nothing else, so it needs no role, as health does.
        Assert.That(
            functions.Where(f => f.Level == AuthorizationLevel.Anonymous).Select(f => f.Name),
            Is.EquivalentTo(FunctionRoles.Exempt.Append("Health").Append(DefenderSnow.Functions.TicketEvents.RetiredTicketEventRoute.FunctionName)));
        Assert.That(functions.Where(f => f.Level != AuthorizationLevel.Anonymous).Select(f => f.Name), Is.EquivalentTo(FunctionRoles.Functions));
        Assert.That(FunctionRoles.Functions.Intersect(FunctionRoles.Exempt), Is.Empty, "an exempt function has no roles");
    }

    [Test]
    public async Task An_exempt_function_answers_without_a_principal_and_ignores_one()
    {
        // No principal, no role: the signature is ReceiveTicketEvent's authentication, so without one it is a 401 of its own.
        var bare = await CallAsync("ReceiveTicketEvent", headers: null);
        var withRoles = await CallAsync("ReceiveTicketEvent", Principals.Headers("alice@contoso.com", AppRoles.IntegrationsManage));

        Assert.That((bare.Status, withRoles.Status), Is.EqualTo((401, 401)), $"{bare} {withRoles}");
        Assert.That(bare.Body, Does.Not.Contain("app role"));
    }

    [Test]
    public void Only_an_exempt_function_can_skip_the_role_check()
    {
        var endpoint = _harness.App.Get<DefenderSnow.Functions.Http.HttpEndpoint>();

        Assert.Throws<InvalidOperationException>(() => endpoint.RunSelfAuthenticatedAsync("ListIntegrations", () => throw new AssertionException("must not run")));
    }

    [TestCaseSource(nameof(ProtectedFunctions))]
    public async Task Without_a_principal_the_answer_is_401(string function)
    {
        var response = await CallAsync(function, headers: null);

        Assert.That(response.Status, Is.EqualTo(401), response.ToString());
        Assert.That(response.ContentType, Does.StartWith("application/problem+json"));
    }

    [TestCaseSource(nameof(ProtectedFunctions))]
    public async Task A_principal_without_a_granting_role_gets_403_naming_the_role(string function)
    {
        var response = await CallAsync(function, Principals.Headers("mallory@contoso.com", "Unrelated.Role"));

        Assert.That(response.Status, Is.EqualTo(403), response.ToString());
        Assert.That(response.Json["detail"]!.GetValue<string>(), Does.Contain(function).And.Contain($"'{FunctionRoles.For(function)[0]}'"));
    }

    [TestCaseSource(nameof(ProtectedFunctions))]
    public async Task Every_granting_role_passes_the_check(string function)
    {
        foreach (var role in FunctionRoles.For(function))
        {
            var response = await CallAsync(function, Principals.Headers("alice@contoso.com", role));

            Assert.That(response.Status, Is.Not.EqualTo(401).And.Not.EqualTo(403), $"{role}: {response}");
        }
    }

    [TestCase(AppRoles.Read, "CreateIntegration", 403)]
    [TestCase(AppRoles.AssignmentsManage, "DeleteIntegration", 403)]
    [TestCase(AppRoles.SyncRun, "ListIntegrations", 403)]
    [TestCase(AppRoles.IntegrationsManage, "ListIntegrations", 200)]
    [TestCase(AppRoles.Read, "ListIntegrations", 200)]
    public async Task Roles_grant_what_the_table_says(string role, string function, int expected)
    {
        var response = await CallAsync(function, Principals.Headers("alice@contoso.com", role));

        Assert.That(response.Status, Is.EqualTo(expected), response.ToString());
    }

    [TestCase("not base64 !!")]
    [TestCase("e30=")]
    [TestCase("eyJjbGFpbXMiOiBbXX0=")]
    public async Task A_malformed_principal_is_401_never_500(string header)
    {
        var response = await CallAsync("ListIntegrations", new Dictionary<string, string> { ["X-MS-CLIENT-PRINCIPAL"] = header });

        Assert.That(response.Status, Is.EqualTo(401), response.ToString());
    }

    [Test]
    public async Task A_huge_principal_is_401()
    {
        var response = await CallAsync("ListIntegrations", new Dictionary<string, string> { ["X-MS-CLIENT-PRINCIPAL"] = new string('A', 1_000_000) });

        Assert.That(response.Status, Is.EqualTo(401), response.ToString());
    }

    [Test]
    public async Task CreatedBy_comes_from_the_principal_and_not_from_the_name_header()
    {
        var headers = Principals.Headers("alice@contoso.com", AppRoles.IntegrationsManage);
        headers["X-MS-CLIENT-PRINCIPAL-NAME"] = "mallory@contoso.com";

        var response = await _harness.CreateAsync(_harness.ValidBody(), headers);

        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        Assert.That(response.Json["createdBy"]!.GetValue<string>(), Is.EqualTo("alice@contoso.com"));
    }

    /// <summary>Calls a function by its contract name with an empty JSON body and placeholder route values.</summary>
    private Task<FunctionResponse> CallAsync(string function, IDictionary<string, string>? headers) =>
        HttpFunctionCatalog.InvokeAsync(_harness.App.Services, HttpFunctionCatalog.Get(function), ["0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"], "{}", headers: headers);
}
