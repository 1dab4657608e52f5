using System.Collections.Concurrent;
using Azure.Data.Tables;
using DefenderSnow.Functions.Integrations;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Integrations;

/// <summary>
/// Runs the Integrations functions of the real host against Azurite and the simulators. After every
/// test it searches that test's log lines and responses for the secrets the fixture used.
/// </summary>
public abstract class IntegrationFunctionTestBase
{
    protected const string ClientId = "defendersnow-client";
    protected const string ServiceUser = "svc-defender";
    protected static readonly string SubscriptionScope = "/subscriptions/" + Guid.NewGuid().ToString("D");

    private readonly ConcurrentBag<string> _responses = [];
    private readonly HashSet<string> _secrets = [];
    private int _logMark;

    protected TestApp App { get; private set; } = null!;

    protected IntegrationFunctions Functions { get; private set; } = null!;

    /// <summary>Unique per fixture, so a leak found in a log can only have come from this fixture.</summary>
    protected string Password { get; } = "Pw-" + Guid.NewGuid().ToString("N");

    protected string ClientSecret { get; } = "Cs-" + Guid.NewGuid().ToString("N");

    [OneTimeSetUp]
    public async Task StartApp()
    {
        App = await TestApp.StartAsync(AdjustSettings, ConfigureServices);
        Functions = App.Function<IntegrationFunctions>();
        App.ServiceNow.RegisterOAuthClient(ClientId, ClientSecret);
        App.ServiceNow.SeedUser(new ServiceNowSimulatorUser(ServiceUser, "svc-defender@contoso.example", Password: Password));
        RememberSecret(Password);
        RememberSecret(ClientSecret);
    }

    [OneTimeTearDown]
    public async Task StopApp() => await App.DisposeAsync();

    /// <summary>Each test is searched for its own leaks only: one leak must fail its test, not every later one.</summary>
    [SetUp]
    public void MarkLogsAndForgetResponses()
    {
        _logMark = App.Logs.Lines.Count;
        _responses.Clear();
    }

    [TearDown]
    public async Task NoSecretInLogsResponsesOrTables()
    {
        var lines = App.Logs.Lines.Skip(_logMark).ToList();
        var rows = await StoredRowsAsync();
        foreach (var secret in Secrets())
        {
            Assert.That(lines.Where(l => l.Contains(secret, StringComparison.Ordinal)), Is.Empty, "a log line carries a secret");
            Assert.That(_responses.Where(r => r.Contains(secret, StringComparison.Ordinal)), Is.Empty, "a response carries a secret");
            Assert.That(rows.Where(r => r.Contains(secret, StringComparison.Ordinal)), Is.Empty, "a Table Storage row carries a secret");
        }
    }

    protected virtual void AdjustSettings(Dictionary<string, string?> settings)
    {
    }

    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Every row of every table of the fixture, each as one line of all its properties.</summary>
    private async Task<List<string>> StoredRowsAsync()
    {
        var rows = new List<string>();
        var service = new TableServiceClient(await Azurite.GetConnectionStringAsync());
        await foreach (var table in service.QueryAsync(t => t.Name.CompareTo(App.TablePrefix) >= 0 && t.Name.CompareTo(App.TablePrefix + "~") < 0))
        {
            await foreach (var row in service.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                rows.Add(string.Join(" ", row.Select(p => $"{p.Key}={(p.Value is byte[] bytes ? Convert.ToBase64String(bytes) : p.Value)}")));
            }
        }

        return rows;
    }

    /// <summary>The fixture's password and client secret, and every refresh token Key Vault holds now.</summary>
    protected IReadOnlyCollection<string> Secrets()
    {
        foreach (var name in App.KeyVault.SecretNames().Where(n => n.EndsWith("-refresh-token", StringComparison.Ordinal)))
        {
            RememberSecret(App.KeyVault.GetValue(name));
        }

        return _secrets;
    }

    protected void RememberSecret(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _secrets.Add(value);
        }
    }

    protected Dictionary<string, object?> ValidBody(string? name = null, string? scope = null) => new()
    {
        ["name"] = name ?? "MDCIntegrationSNOW-" + Guid.NewGuid().ToString("N")[..8],
        ["scope"] = new Dictionary<string, object?> { ["type"] = "subscription", ["id"] = scope ?? SubscriptionScope },
        ["instanceUrl"] = App.ServiceNow.BaseUri.AbsoluteUri,
        ["username"] = ServiceUser,
        ["password"] = Password,
        ["clientId"] = ClientId,
        ["clientSecret"] = ClientSecret,
        ["fieldMode"] = "default",
        ["fields"] = new Dictionary<string, object?>
        {
            ["incident"] = new[] { "assignment_group", "description", "impact", "urgency" },
            ["problem"] = new[] { "description" },
            ["change_request"] = new[] { "description" },
        },
    };

    protected Task<FunctionResponse> CreateAsync(object body, IDictionary<string, string>? headers = null) =>
        CreateRawAsync(FunctionCall.Json(body), headers);

    protected Task<FunctionResponse> CreateRawAsync(string body, IDictionary<string, string>? headers = null) =>
        Record(FunctionCall.InvokeAsync(FunctionCall.Request("POST", "/api/integrations", body, headers), r => Functions.Create(r, CancellationToken.None)));

    protected Task<FunctionResponse> GetAsync(string id) =>
        Record(FunctionCall.InvokeAsync(FunctionCall.Request("GET", $"/api/integrations/{id}"), r => Functions.Get(r, id, CancellationToken.None)));

    protected Task<FunctionResponse> ListAsync(string query = "") =>
        Record(FunctionCall.InvokeAsync(FunctionCall.Request("GET", "/api/integrations" + query), r => Functions.List(r, CancellationToken.None)));

    protected Task<FunctionResponse> UpdateAsync(string id, object body, IDictionary<string, string>? headers = null) =>
        Record(FunctionCall.InvokeAsync(FunctionCall.Request("PATCH", $"/api/integrations/{id}", FunctionCall.Json(body), headers), r => Functions.Update(r, id, CancellationToken.None)));

    protected Task<FunctionResponse> DeleteAsync(string id) =>
        Record(FunctionCall.InvokeAsync(FunctionCall.Request("DELETE", $"/api/integrations/{id}"), r => Functions.Delete(r, id, CancellationToken.None)));

    protected async Task<string> CreateIntegrationAsync(string? name = null, string? scope = null)
    {
        var response = await CreateAsync(ValidBody(name, scope));
        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        return response.Json["id"]!.GetValue<string>();
    }

    /// <summary>Keeps the response for the secret scan after the test.</summary>
    protected async Task<FunctionResponse> Record(Task<FunctionResponse> call)
    {
        var response = await call;
        _responses.Add(response.Body + " " + string.Join(" ", response.Headers.Select(h => $"{h.Key}: {h.Value}")));
        return response;
    }
}
