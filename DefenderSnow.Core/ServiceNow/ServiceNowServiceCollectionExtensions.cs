using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Upstream;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.ServiceNow;

internal static class ServiceNowServiceCollectionExtensions
{
    public static IServiceCollection AddServiceNow(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ServiceNowOptions, ServiceNowOptionsValidation>(configuration.GetSection(ServiceNowOptions.SectionName));

        services.AddHttpClient(ServiceNowHttpClients.ClientName)
            .AddUpstreamPipeline(
                UpstreamSystem.ServiceNow,
                sp => ServiceNowConnectionHandler.Create(
                    sp.GetRequiredService<IOptions<LocalDevelopmentOptions>>().Value.TrustLoopbackCertificates,
                    sp.GetRequiredService<IOptions<ServiceNowOptions>>().Value.AllowPrivateAddresses,
                    sp.GetRequiredService<IHostAddressResolver>()),
                sp => sp.GetRequiredService<IOptions<ServiceNowOptions>>().Value.Resilience);

        services.TryAddSingleton<IHostAddressResolver, DnsHostAddressResolver>();
        services.TryAddSingleton<ServiceNowHttpClients>();
        services.TryAddSingleton<ServiceNowOAuthClient>();
        services.TryAddSingleton<IServiceNowTokenRevoker>(sp => sp.GetRequiredService<ServiceNowOAuthClient>());
        // The token provider checks it before sending credentials; it needs only the secret store (AddSecretStore, or a test's).
        services.TryAddSingleton<Secrets.InstanceBinding>();
        services.TryAddSingleton<IServiceNowInstancePolicy, ServiceNowInstancePolicy>();
        services.TryAddSingleton<IServiceNowTokenProvider, ServiceNowTokenProvider>();
        services.TryAddSingleton<ServiceNowUserCache>();
        services.TryAddSingleton<IServiceNowConnectionVerifier, ServiceNowConnectionVerifier>();
        services.TryAddSingleton<IServiceNowClientFactory, ServiceNowClientFactory>();
        return services;
    }
}
