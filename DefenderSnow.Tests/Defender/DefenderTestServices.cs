using Azure.Core;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Tests.Defender;

/// <summary>Builds the Defender part of Core the way the app does (AddDefender), pointed at a simulator.</summary>
internal static class DefenderTestServices
{
    public static ServiceProvider Build(
        Uri endpoint,
        IDictionary<string, string?>? settings = null,
        TokenCredential? credential = null,
        TimeProvider? timeProvider = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Defender:Endpoint"] = endpoint.ToString(),
            ["Defender:RetryDelay"] = "00:00:00.010",
            ["LocalDevelopment:TrustLoopbackCertificates"] = "true",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(timeProvider ?? TimeProvider.System);
        services.AddOptions<LocalDevelopmentOptions>().Bind(configuration.GetSection(LocalDevelopmentOptions.SectionName));
        services.AddSingleton(credential ?? new SimulatorTokenCredential(timeProvider ?? TimeProvider.System));
        services.AddDefender(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }
}
