using DefenderSnow.Core.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Core.Integrations;

internal static class IntegrationsServiceCollectionExtensions
{
    public static IServiceCollection AddIntegrations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IIntegrationStore, IntegrationStore>();
        services.AddSingleton<IIntegrationInstanceStore, IntegrationInstanceStore>();
        services.AddTransient<IntegrationInstanceCheck>();
        services.AddSingleton<Access.IntegrationAccess>();
        // Transient: they hold the Resource Manager client, whose HttpClient must not outlive the factory's handler rotation.
        services.AddTransient<IntegrationService>();
        services.AddTransient<IntegrationDeletion>();
        services.AddTransient<IntegrationAssignmentRemoval>();
        // Credential replacement for updates; transient like the service it serves, so it never holds a stale client.
        services.AddTransient<IntegrationCredentialRotation>();
        // The deletion's last step, with the same lifetime as the deletion.
        services.AddTransient<IntegrationRemnants>();
        services.AddTransient<IntegrationTokenRetirement>();
        services.AddValidatedOptions<IntegrationDeletionOptions, IntegrationDeletionOptionsValidation>(configuration.GetSection(IntegrationDeletionOptions.SectionName));
        return services;
    }
}
