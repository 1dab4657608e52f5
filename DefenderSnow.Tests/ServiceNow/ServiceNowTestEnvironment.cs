using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Simulators.ServiceNow;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.ServiceNow;

/// <summary>
/// A running ServiceNow simulator and the product's ServiceNow services wired as the app wires them
/// (AddServiceNow), pointed at it, with a service account, an OAuth client and one integration.
/// </summary>
internal sealed class ServiceNowTestEnvironment : IAsyncDisposable
{
    public const string ClientId = "defendersnow-tests";
    public const string ClientSecret = "client-secret-value";
    public const string ServiceUser = "svc-defender";
    public const string ServicePassword = "service-password-value";
    public const string IntegrationId = "integration-1";

    private ServiceNowTestEnvironment(ServiceNowSimulator simulator, ServiceProvider services, InMemorySecretStore secrets, FakeTimeProvider? clock)
    {
        Simulator = simulator;
        Services = services;
        Secrets = secrets;
        Clock = clock;
        Connection = new ServiceNowConnection(IntegrationId, simulator.BaseUri, ServiceUser, ClientId);
    }

    public ServiceNowSimulator Simulator { get; }

    public ServiceProvider Services { get; }

    public InMemorySecretStore Secrets { get; }

    /// <summary>Shared by the simulator and the client when a test asked for one.</summary>
    public FakeTimeProvider? Clock { get; }

    public ServiceNowConnection Connection { get; }

    public IServiceNowClient Client => Services.GetRequiredService<IServiceNowClientFactory>().Create(Connection);

    public IServiceNowTokenProvider Tokens => Services.GetRequiredService<IServiceNowTokenProvider>();

    public IServiceNowConnectionVerifier Verifier => Services.GetRequiredService<IServiceNowConnectionVerifier>();

    /// <summary>The seeded service user's credentials on this simulator.</summary>
    public ServiceNowCredentials Credentials() => new(Simulator.BaseUri, ServiceUser, ServicePassword, ClientId, ClientSecret);

    public static async Task<ServiceNowTestEnvironment> StartAsync(
        ServiceNowSimulatorOptions? simulatorOptions = null,
        IDictionary<string, string?>? settings = null,
        FakeTimeProvider? clock = null,
        ILoggerProvider? logs = null)
    {
        simulatorOptions ??= new ServiceNowSimulatorOptions();
        if (clock is not null)
        {
            simulatorOptions = simulatorOptions with { TimeProvider = clock };
        }

        var simulator = await ServiceNowSimulator.StartAsync(simulatorOptions);
        simulator.RegisterOAuthClient(ClientId, ClientSecret);
        simulator.SeedUser(new ServiceNowSimulatorUser(ServiceUser, "svc-defender@contoso.example", "DefenderSnow Service", Password: ServicePassword));

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ServiceNow:AllowPrivateAddresses"] = "true",
            ["ServiceNow:RetryBaseDelay"] = "00:00:00.010",
            ["ServiceNow:AttemptTimeout"] = "00:00:10",
            ["LocalDevelopment:TrustLoopbackCertificates"] = "true",
        }.Concat(settings ?? new Dictionary<string, string?>()).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value)).Build();

        var secrets = new InMemorySecretStore();
        await secrets.SetAsync(IntegrationId, IntegrationSecret.Password, ServicePassword, CancellationToken.None);
        await secrets.SetAsync(IntegrationId, IntegrationSecret.ClientSecret, ClientSecret, CancellationToken.None);
        // As IntegrationService does once the credentials are proven: the token provider sends them only to the bound instance.
        await secrets.SetAsync(IntegrationId, IntegrationSecret.InstanceBinding, InstanceBinding.ValueFor(IntegrationId, simulator.BaseUri), CancellationToken.None);

        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            if (logs is not null)
            {
                logging.AddProvider(logs);
            }
        });
        services.AddSingleton<TimeProvider>(clock ?? TimeProvider.System);
        services.AddSingleton<ISecretStore>(secrets);
        services.AddOptions<LocalDevelopmentOptions>().Bind(configuration.GetSection(LocalDevelopmentOptions.SectionName));
        services.AddServiceNow(configuration);
        return new ServiceNowTestEnvironment(simulator, services.BuildServiceProvider(), secrets, clock);
    }

    /// <summary>Fields every ticket test needs: a caller and a short description.</summary>
    public Dictionary<string, string> TicketFields(string table, string shortDescription = "Unhealthy resource")
    {
        var caller = Simulator.ListRecords("sys_user").First(u => u["user_name"] == ServiceUser)["sys_id"];
        return new Dictionary<string, string>
        {
            ["short_description"] = shortDescription,
            [ServiceNowTicketTables.Get(table).CallerField] = caller,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
