using DefenderSnow.Functions.Integrations;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Integrations;

/// <summary>
/// Kept only until its children compose <see cref="IntegrationHarness"/> themselves; every member delegates to it.
/// </summary>
public abstract class IntegrationFunctionTestBase
{
    protected const string ClientId = IntegrationHarness.ClientId;
    protected const string ServiceUser = IntegrationHarness.ServiceUser;
    protected static readonly string SubscriptionScope = IntegrationHarness.SubscriptionScope;

    protected IntegrationHarness Harness { get; private set; } = null!;

    protected TestApp App => Harness.App;

    protected IntegrationFunctions Functions => Harness.Functions;

    protected string Password => Harness.Password;

    protected string ClientSecret => Harness.ClientSecret;

    [OneTimeSetUp]
    public async Task StartApp() => Harness = await IntegrationHarness.StartAsync(AdjustSettings, ConfigureServices);

    [OneTimeTearDown]
    public async Task StopApp() => await Harness.DisposeAsync();

    [SetUp]
    public void MarkLogsAndForgetResponses() => Harness.MarkLogsAndForgetResponses();

    [TearDown]
    public Task NoSecretInLogsResponsesOrTables() => Harness.AssertNoSecretInLogsResponsesOrTablesAsync();

    protected virtual void AdjustSettings(Dictionary<string, string?> settings)
    {
    }

    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    protected IReadOnlyCollection<string> Secrets() => Harness.Secrets();

    protected void RememberSecret(string? value) => Harness.RememberSecret(value);

    protected Dictionary<string, object?> ValidBody(string? name = null, string? scope = null) => Harness.ValidBody(name, scope);

    protected Task<FunctionResponse> CreateAsync(object body, IDictionary<string, string>? headers = null) => Harness.CreateAsync(body, headers);

    protected Task<FunctionResponse> CreateRawAsync(string body, IDictionary<string, string>? headers = null) => Harness.CreateRawAsync(body, headers);

    protected Task<FunctionResponse> GetAsync(string id) => Harness.GetAsync(id);

    protected Task<FunctionResponse> ListAsync(string query = "") => Harness.ListAsync(query);

    protected Task<FunctionResponse> UpdateAsync(string id, object body, IDictionary<string, string>? headers = null) => Harness.UpdateAsync(id, body, headers);

    protected Task<FunctionResponse> DeleteAsync(string id) => Harness.DeleteAsync(id);

    protected Task<string> CreateIntegrationAsync(string? name = null, string? scope = null) => Harness.CreateIntegrationAsync(name, scope);

    protected Task<FunctionResponse> Record(Task<FunctionResponse> call) => Harness.Record(call);
}
