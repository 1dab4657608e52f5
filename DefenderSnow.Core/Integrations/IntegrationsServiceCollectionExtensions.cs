using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Core.Integrations;

internal static class IntegrationsServiceCollectionExtensions
{
    public static IServiceCollection AddIntegrations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IIntegrationStore, IntegrationStore>();
        services.AddSingleton<IntegrationService>();
        services.AddSingleton<IntegrationDeletion>();
        services.AddOptions<IntegrationDeletionOptions>()
            .Bind(configuration.GetSection(IntegrationDeletionOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }
}
