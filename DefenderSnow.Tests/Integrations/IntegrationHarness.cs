using System.Collections.Concurrent;
using Azure.Data.Tables;
using DefenderSnow.Functions.Integrations;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Integrations;

/// <summary>
/// The real host's Integrations functions against Azurite and the simulators, composed by a test class as a field:
/// the class starts it in [OneTimeSetUp] and implements <see cref="IUsesHarness"/>, which calls
/// <see cref="BeginTest"/> before each test, <see cref="AssertNoSecretInLogsResponsesOrTablesAsync"/> after it, and
/// disposes the harness after the class. The scan searches that test's log lines and responses for the secrets the
/// fixture used.
/// </summary>
public sealed class IntegrationHarness : IAsyncDisposable
{
    public const string ClientId = "defendersnow-client";
    public const string ServiceUser = "svc-defender";
    public static readonly string SubscriptionScope = "/subscriptions/" + Guid.NewGuid().ToString("D");

    private readonly ConcurrentBag<string> _responses = [];
    private readonly HashSet<string> _secrets = [];
    private readonly List<IAsyncDisposable> _owned = [];
    private int _logMark;

    private IntegrationHarness(TestApp app)
    {
        App = app;
        Functions = app.Function<IntegrationFunctions>();
    }

    public TestApp App { get; }

    public IntegrationFunctions Functions { get; }

    /// <summary>Unique per fixture, so a leak found in a log can only have come from this fixture.</summary>
    public string Password { get; } = "Pw-" + Guid.NewGuid().ToString("N");

    public string ClientSecret { get; } = "Cs-" + Guid.NewGuid().ToString("N");

    public static async Task<IntegrationHarness> StartAsync(
        Action<Dictionary<string, string?>>? adjustSettings = null, Action<IServiceCollection>? configureServices = null,
        ServiceNowSimulatorOptions? serviceNowOptions = null)
    {
        var app = await TestApp.StartAsync(adjustSettings ?? (_ => { }), configureServices ?? (_ => { }), serviceNowOptions);
        var harness = new IntegrationHarness(app);
        app.ServiceNow.RegisterOAuthClient(ClientId, harness.ClientSecret);
        app.ServiceNow.SeedUser(new ServiceNowSimulatorUser(ServiceUser, "svc-defender@contoso.example", Password: harness.Password));
        harness.RememberSecret(harness.Password);
        harness.RememberSecret(harness.ClientSecret);
        return harness;
    }

    /// <summary>Stops what was started on the app (<see cref="DisposeWithApp"/>), newest first, then the app.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        await App.DisposeAsync();
    }

    /// <summary>A fixture started on top of the app (a listener, say) is stopped with it, so a test class disposes one thing.</summary>
    public void DisposeWithApp(IAsyncDisposable owned) => _owned.Add(owned);

    /// <summary>
    /// What every test starts from: its own log mark and no recorded responses (one leak must fail its test, not every
    /// later one), and no fault left armed in a simulator by an earlier test.
    /// </summary>
    public void BeginTest()
    {
        _logMark = App.Logs.Lines.Count;
        _responses.Clear();
        App.ServiceNow.Faults.Clear();
        App.ResourceManager.Faults.Clear();
        App.KeyVault.Faults.Clear();
    }

    public async Task AssertNoSecretInLogsResponsesOrTablesAsync()
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
    public IReadOnlyCollection<string> Secrets()
    {
        foreach (var name in App.KeyVault.SecretNames().Where(n => n.EndsWith("-refresh-token", StringComparison.Ordinal)))
        {
            RememberSecret(App.KeyVault.GetValue(name));
        }

        return _secrets;
    }

    public void RememberSecret(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _secrets.Add(value);
        }
    }

    public Dictionary<string, object?> ValidBody(string? name = null, string? scope = null) => new()
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

    public Task<FunctionResponse> CreateAsync(object body, IDictionary<string, string>? headers = null) =>
        CreateRawAsync(FunctionCall.Json(body), headers);

    public Task<FunctionResponse> CreateRawAsync(string body, IDictionary<string, string>? headers = null) =>
        Record(FunctionCall.InvokeAsync(FunctionCall.Request("POST", "/api/integrations", body, headers), r => Functions.Create(r, CancellationToken.None)));

    public Task<FunctionResponse> GetAsync(string id) =>
        Record(FunctionCall.InvokeAsync(FunctionCall.Request("GET", $"/api/integrations/{id}"), r => Functions.Get(r, id, CancellationToken.None)));

    public Task<FunctionResponse> ListAsync(string query = "") =>
        Record(FunctionCall.InvokeAsync(FunctionCall.Request("GET", "/api/integrations" + query), r => Functions.List(r, CancellationToken.None)));

    public Task<FunctionResponse> UpdateAsync(string id, object body, IDictionary<string, string>? headers = null) =>
        Record(FunctionCall.InvokeAsync(FunctionCall.Request("PATCH", $"/api/integrations/{id}", FunctionCall.Json(body), headers), r => Functions.Update(r, id, CancellationToken.None)));

    public Task<FunctionResponse> DeleteAsync(string id) =>
        Record(FunctionCall.InvokeAsync(FunctionCall.Request("DELETE", $"/api/integrations/{id}"), r => Functions.Delete(r, id, CancellationToken.None)));

    public async Task<string> CreateIntegrationAsync(string? name = null, string? scope = null)
    {
        var response = await CreateAsync(ValidBody(name, scope));
        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        return response.Json["id"]!.GetValue<string>();
    }

    /// <summary>Keeps the response for the secret scan after the test.</summary>
    public async Task<FunctionResponse> Record(Task<FunctionResponse> call)
    {
        var response = await call;
        _responses.Add(response.Body + " " + string.Join(" ", response.Headers.Select(h => $"{h.Key}: {h.Value}")));
        return response;
    }
}
