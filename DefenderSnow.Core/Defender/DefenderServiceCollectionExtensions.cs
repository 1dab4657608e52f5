using System.Text.Json;
using System.Text.Json.Serialization;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Upstream;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Defender;

internal static class DefenderServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> under <see cref="IResourceManagerApi"/>.</summary>
    public const string HttpClientName = "ResourceManager";

    /// <summary>
    /// Registers the Resource Manager client factory (<see cref="IDefenderClientFactory"/>, whose clients need the app's
    /// one <c>TokenCredential</c>) and the clients it makes, scope membership, and the <c>Defender</c> settings.
    /// </summary>
    public static IServiceCollection AddDefender(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<DefenderOptions, DefenderOptionsValidation>(configuration.GetSection(DefenderOptions.SectionName));

        services.TryAddSingleton<ResourceManagerTokenCache>();
        services.TryAddTransient<ResourceManagerAuthenticationHandler>();
        services.TryAddSingleton<SubscriptionPacer>();
        services.TryAddTransient<ResourceManagerPacingHandler>();
        services.TryAddTransient<ResourceManagerThrottleObserver>();
        services
            .AddHttpClient(HttpClientName)
            .ConfigureHttpClient((sp, http) => http.BaseAddress = sp.GetRequiredService<IOptions<DefenderOptions>>().Value.EndpointUri)
            // Outside the pipeline: a request held for its subscription's bucket never runs into a timeout.
            .AddHttpMessageHandler<ResourceManagerPacingHandler>()
            .AddUpstreamPipeline(
                UpstreamSystem.ResourceManager,
                sp => LoopbackCertificatePolicy.CreateHandler(sp.GetRequiredService<IOptions<LocalDevelopmentOptions>>().Value.TrustLoopbackCertificates),
                sp => sp.GetRequiredService<IOptions<DefenderOptions>>().Value.Resilience)
            // Inside the pipeline: each attempt is authenticated afresh and teaches the pacer.
            .AddHttpMessageHandler<ResourceManagerAuthenticationHandler>()
            .AddHttpMessageHandler<ResourceManagerThrottleObserver>();

        // One long-lived factory (as IServiceNowClientFactory); IDefenderClient is what it makes, per unit of work.
        services.TryAddSingleton<IDefenderClientFactory, DefenderClientFactory>();
        services.TryAddTransient(sp => sp.GetRequiredService<IDefenderClientFactory>().Create());
        services.TryAddScoped<IScopeMembership, ScopeMembership>();
        services.TryAddSingleton<IScopeMembershipFactory, ScopeMembershipFactory>();
        return services;
    }

    internal static JsonSerializerOptions CreateJsonOptions() => new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
