using Azure.Core;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Findings;
using DefenderSnow.Core.Health;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Rules;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.Sync;
using DefenderSnow.Core.Telemetry;
using DefenderSnow.Core.TicketEvents;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core;

/// <summary>The composition of Core: every option, client, store and service the product needs.</summary>
public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers all of Core. Options are bound from <paramref name="configuration"/> and validated
    /// when the host starts, so a missing or malformed setting stops start-up with its name. The
    /// <see cref="TimeProvider"/> is the composition root's to register (<c>DefenderSnowComposition</c>), once.
    /// </summary>
    public static IServiceCollection AddDefenderSnowCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AzureIdentityOptions, AzureIdentityOptionsValidation>(configuration.GetSection(AzureIdentityOptions.SectionName))
            // The endpoints the simulator credential would be offered to, so its rule can refuse a remote one.
            .Configure(options => options.Endpoints = AzureIdentityOptions.EndpointSettings.ToDictionary(setting => setting, setting => configuration[setting]));
        services.AddOptions<LocalDevelopmentOptions>()
            .Bind(configuration.GetSection(LocalDevelopmentOptions.SectionName));

        services.TryAddSingleton<TokenCredential>(sp => CredentialFactory.Create(
            sp.GetRequiredService<IOptions<AzureIdentityOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        services.AddAzureClients(clients => clients.UseCredential(sp => sp.GetRequiredService<TokenCredential>()));

        services.AddDefenderSnowTelemetry();
        services.AddSingleton<HealthService>();
        services.AddTableStorage(configuration);
        services.AddSecretStore(configuration);
        services.AddServiceNow(configuration);
        services.AddDefender(configuration);
        services.AddFindings();
        services.AddAssignments();
        services.AddRules(configuration);
        services.AddIntegrations(configuration);
        services.AddSync(configuration);
        services.AddTicketEvents(configuration);
        return services;
    }
}
