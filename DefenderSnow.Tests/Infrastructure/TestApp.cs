using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.KeyVault;
using DefenderSnow.Simulators.ServiceNow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>
/// The whole app as the Functions host would compose it, wired to Azurite and to the local simulators
/// of ServiceNow, Resource Manager and Key Vault, with every log line captured.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private TestApp(IHost host, ServiceNowSimulator serviceNow, ResourceManagerSimulator resourceManager, KeyVaultSimulator keyVault, CapturingLoggerProvider logs, string tablePrefix)
    {
        Host = host;
        ServiceNow = serviceNow;
        ResourceManager = resourceManager;
        KeyVault = keyVault;
        Logs = logs;
        TablePrefix = tablePrefix;
    }

    public IHost Host { get; }

    public IServiceProvider Services => Host.Services;

    public ServiceNowSimulator ServiceNow { get; }

    public ResourceManagerSimulator ResourceManager { get; }

    public KeyVaultSimulator KeyVault { get; }

    public CapturingLoggerProvider Logs { get; }

    public string TablePrefix { get; }

    /// <param name="serviceNowOptions">The ServiceNow simulator's own options, e.g. a clock the test moves.</param>
    public static async Task<TestApp> StartAsync(
        Action<Dictionary<string, string?>>? adjustSettings = null, Action<IServiceCollection>? overrides = null, ServiceNowSimulatorOptions? serviceNowOptions = null)
    {
        var storage = await Azurite.GetConnectionStringAsync();
        var serviceNow = await ServiceNowSimulator.StartAsync(serviceNowOptions);
        var resourceManager = await ResourceManagerSimulator.StartAsync();
        var keyVault = await KeyVaultSimulator.StartAsync();
        var prefix = TestTables.NewPrefix();
        var settings = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = storage,
            ["Storage:TablePrefix"] = prefix,
            // Azurite is shared by every fixture: each app gets queues of its own.
            ["SyncIntegrationsQueue"] = $"sync-{prefix}",
            ["IntegrationDeletionsQueue"] = $"deletions-{prefix}",
            ["TicketEventsQueue"] = $"events-{prefix}",
            ["KeyVault:VaultUri"] = keyVault.BaseUri.AbsoluteUri,
            ["Defender:Endpoint"] = resourceManager.BaseUri.AbsoluteUri,
            ["Defender:RetryDelay"] = "00:00:00.010",
            ["Azure:Credential"] = "Simulator",
            ["LocalDevelopment:TrustLoopbackCertificates"] = "true",
            ["ServiceNow:AllowPrivateAddresses"] = "true",
            ["ServiceNow:RetryBaseDelay"] = "00:00:00.010",
        };
        adjustSettings?.Invoke(settings);
        var logs = new CapturingLoggerProvider();
        var host = FunctionsHost.Build(settings, services => services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            logging.AddProvider(logs);
            overrides?.Invoke(services);
        }));
        return new TestApp(host, serviceNow, resourceManager, keyVault, logs, prefix);
    }

    public T Function<T>() => FunctionsHost.Create<T>(Host);

    /// <summary>The app's queues in Azurite, read and handled as the Functions host would.</summary>
    public TestQueues Queues => new(Get<DefenderSnow.Core.Storage.QueueClientProvider>());

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        Host.Dispose();
        await ServiceNow.DisposeAsync();
        await ResourceManager.DisposeAsync();
        await KeyVault.DisposeAsync();
    }
}
