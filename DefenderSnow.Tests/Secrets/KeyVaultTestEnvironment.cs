using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Simulators.KeyVault;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Tests.Secrets;

/// <summary>Clients wired as the app wires them, pointed at a <see cref="KeyVaultSimulator"/>.</summary>
internal static class KeyVaultTestEnvironment
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(10);
    public const int MaxRetries = 2;

    public static Task<KeyVaultSimulator> StartSimulatorAsync(KeyVaultSimulatorOptions? options = null) =>
        KeyVaultSimulator.StartAsync(options ?? new KeyVaultSimulatorOptions());

    /// <summary>Makes every following request fail as <paramref name="fault"/> says (with a zero <c>Retry-After</c>, so retries are quick).</summary>
    public static void InjectPersistent(KeyVaultSimulator simulator, KeyVaultTestFault fault)
    {
        switch (fault)
        {
            case KeyVaultTestFault.Throttled:
                simulator.Faults.RateLimitNext(SimulatorFaults.Always, TimeSpan.Zero);
                break;
            case KeyVaultTestFault.ServiceUnavailable:
                simulator.Faults.FailNext(SimulatorFaults.Always, 503, retryAfter: TimeSpan.Zero);
                break;
            case KeyVaultTestFault.Forbidden:
                simulator.Faults.ForbidNext(SimulatorFaults.Always);
                break;
            default:
                simulator.Faults.DropNext(SimulatorFaults.Always);
                break;
        }
    }

    /// <summary>A plain <see cref="SecretClient"/> set up by the app's own rules, with fast retries.</summary>
    public static SecretClient CreateClient(Uri vaultUri, bool trustLoopbackCertificates = true, TokenCredential? credential = null)
    {
        var options = new SecretClientOptions();
        FastRetries(options);
        KeyVaultClientSetup.Configure(options, vaultUri, trustLoopbackCertificates);
        return new SecretClient(vaultUri, credential ?? new SimulatorTokenCredential(TimeProvider.System), options);
    }

    /// <summary>The service provider the app would build for the Key Vault part, from these settings.</summary>
    /// <param name="credential">The app's Azure credential; the simulator's by default.</param>
    public static ServiceProvider BuildServices(IReadOnlyDictionary<string, string?> settings, ILoggerProvider? logs = null, TokenCredential? credential = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Debug);
            if (logs is not null)
            {
                logging.AddProvider(logs);
            }
        });
        services.AddSingleton<TokenCredential>(credential ?? new SimulatorTokenCredential(TimeProvider.System));
        services.AddOptions<LocalDevelopmentOptions>().Bind(configuration.GetSection(LocalDevelopmentOptions.SectionName));
        services.AddAzureClients(clients =>
        {
            clients.UseCredential(sp => sp.GetRequiredService<TokenCredential>());
            clients.ConfigureDefaults(FastRetries);
        });
        services.AddSecretStore(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public static ServiceProvider BuildServices(Uri vaultUri, bool trustLoopbackCertificates = true, ILoggerProvider? logs = null, TokenCredential? credential = null) =>
        BuildServices(
            new Dictionary<string, string?>
            {
                ["KeyVault:VaultUri"] = vaultUri.ToString(),
                ["LocalDevelopment:TrustLoopbackCertificates"] = trustLoopbackCertificates ? "true" : "false",
            },
            logs,
            credential);

    /// <summary>Runs the start-up validation the host runs, returning its failure message (or <c>null</c>).</summary>
    public static string? StartupValidationError(IServiceProvider services)
    {
        try
        {
            _ = services.GetRequiredService<IOptions<KeyVaultOptions>>().Value;
            return null;
        }
        catch (OptionsValidationException e)
        {
            return e.Message;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }

    private static void FastRetries(Azure.Core.ClientOptions options)
    {
        options.Retry.MaxRetries = MaxRetries;
        options.Retry.Delay = RetryDelay;
        options.Retry.MaxDelay = RetryDelay;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }
}
