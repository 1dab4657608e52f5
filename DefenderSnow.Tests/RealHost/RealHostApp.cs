using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using DefenderSnow.Benchmark;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.KeyVault;
using DefenderSnow.Simulators.LocalRun;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Infrastructure;

namespace DefenderSnow.Tests.RealHost;

/// <summary>
/// The app as a new user's local run or Azure runs it: the built worker under the real Functions host, with
/// Azurite of its own (blob, queue, table) and the three simulators seeded with the demo data the simulators
/// program uses. The settings are <c>local.settings.sample.json</c>'s, with its fixed simulator ports and
/// development storage pointed at this fixture's.
/// </summary>
public sealed class RealHostApp : IAsyncDisposable
{
    private RealHostApp(AzuriteProcess azurite, ServiceNowSimulator serviceNow, ResourceManagerSimulator resourceManager, KeyVaultSimulator keyVault, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string> fixedBaseUris)
    {
        Azurite = azurite;
        ServiceNow = serviceNow;
        ResourceManager = resourceManager;
        KeyVault = keyVault;
        Settings = settings;
        FixedBaseUris = fixedBaseUris;
    }

    public AzuriteProcess Azurite { get; }

    public ServiceNowSimulator ServiceNow { get; }

    public ResourceManagerSimulator ResourceManager { get; }

    public KeyVaultSimulator KeyVault { get; }

    /// <summary>The app settings the host was given, as environment variables name it.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The sample's fixed simulator base URIs (as the README uses them) and this fixture's.</summary>
    public IReadOnlyDictionary<string, string> FixedBaseUris { get; }

    public RealFunctionsHost Host { get; private set; } = null!;

    /// <summary>
    /// Starts everything, or ends the test: ignored with one line saying why when there is no host, failed when
    /// <see cref="FunctionsHostBinaries.RequiredVariable"/> says this machine must have one (CI).
    /// </summary>
    /// <param name="extraSettings">Settings a test adds to the sample's (as environment variables name them).</param>
    public static async Task<RealHostApp> StartAsync(IReadOnlyDictionary<string, string> extraSettings, CancellationToken cancellationToken)
    {
        var (binaries, reason) = await FunctionsHostBinaries.FindAsync();
        if (binaries is null)
        {
            if (Environment.GetEnvironmentVariable(FunctionsHostBinaries.RequiredVariable) == "1")
            {
                Assert.Fail($"{reason} {FunctionsHostBinaries.RequiredVariable}=1 requires the real-host tier to run.");
            }

            Assert.Ignore($"Real-host tier skipped: {reason}");
        }

        var workerOutput = WorkerOutput();
        Assert.That(Path.Combine(workerOutput, "functions.metadata"), Does.Exist, "the worker is built (the test project builds DefenderSnow.Functions)");

        var azurite = await AzuriteProcess.StartAsync();
        var serviceNow = await ServiceNowSimulator.StartAsync(cancellationToken: cancellationToken);
        var resourceManager = await ResourceManagerSimulator.StartAsync(cancellationToken: cancellationToken);
        var keyVault = await KeyVaultSimulator.StartAsync(cancellationToken: cancellationToken);
        LocalDemoData.Seed(serviceNow, resourceManager.State);
        var fixedBaseUris = new Dictionary<string, string>
        {
            ["https://127.0.0.1:7443"] = serviceNow.BaseUri.AbsoluteUri.TrimEnd('/'),
            ["https://127.0.0.1:7444"] = resourceManager.BaseUri.AbsoluteUri.TrimEnd('/'),
            ["https://127.0.0.1:7445"] = keyVault.BaseUri.AbsoluteUri.TrimEnd('/'),
        };
        var settings = await SampleSettingsAsync(azurite.ConnectionString, fixedBaseUris, cancellationToken);
        foreach (var (name, value) in extraSettings)
        {
            settings[name] = value;
        }

        var app = new RealHostApp(azurite, serviceNow, resourceManager, keyVault, settings, fixedBaseUris);
        try
        {
            app.Host = await RealFunctionsHost.StartAsync(binaries!, workerOutput, settings, cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    /// <summary>A client of one of the app's queues (or its poison queue), named by its app setting, encoding as the trigger reads.</summary>
    public QueueClient Queue(string setting, bool poison = false) =>
        new(Azurite.ConnectionString, Settings[setting] + (poison ? "-poison" : string.Empty), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>The sample's URIs with the fixed simulator ports replaced by this fixture's.</summary>
    public string MapFixedPorts(string text) =>
        FixedBaseUris.Aggregate(text, (mapped, pair) => mapped.Replace(pair.Key, pair.Value, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        await KeyVault.DisposeAsync();
        await ResourceManager.DisposeAsync();
        await ServiceNow.DisposeAsync();
        Azurite.Dispose();
    }

    /// <summary>The worker the test project built beside itself: <c>DefenderSnow.Functions/bin/{configuration}/net10.0</c>.</summary>
    private static string WorkerOutput()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testOutput.Parent!.Name;
        return Path.Combine(Infrastructure.Azurite.RepositoryRoot(), "DefenderSnow.Functions", "bin", configuration, testOutput.Name);
    }

    private static async Task<Dictionary<string, string>> SampleSettingsAsync(string storage, IReadOnlyDictionary<string, string> fixedBaseUris, CancellationToken cancellationToken)
    {
        var sample = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Infrastructure.Azurite.RepositoryRoot(), "local.settings.sample.json"), cancellationToken))!;
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in sample["Values"]!.AsObject())
        {
            var text = value!.GetValue<string>();
            text = text == "UseDevelopmentStorage=true" ? storage : fixedBaseUris.Aggregate(text, (mapped, pair) => mapped.Replace(pair.Key, pair.Value, StringComparison.Ordinal));
            // Environment variables cannot carry ':'; the host and the worker read '__' as the section separator.
            settings[name.Replace(":", "__", StringComparison.Ordinal)] = text;
        }

        return settings;
    }
}
