using DefenderSnow.Core.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace DefenderSnow.Core.ServiceNow;

internal static class ServiceNowServiceCollectionExtensions
{
    public static IServiceCollection AddServiceNow(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<ServiceNowOptions>()
            .Bind(configuration.GetSection(ServiceNowOptions.SectionName))
            .PostConfigure(options =>
            {
                // Bound arrays append to a default instead of replacing it, so the default is filled in afterwards.
                if (options.AllowedHosts.Length == 0)
                {
                    options.AllowedHosts = [.. ServiceNowOptions.DefaultAllowedHosts];
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceNowOptions>, ServiceNowOptionsValidation>());
        services.AddOptions<LocalDevelopmentOptions>().Bind(configuration.GetSection(LocalDevelopmentOptions.SectionName));

        var client = services.AddHttpClient(ServiceNowHttpClients.ClientName);
        client
            .ConfigurePrimaryHttpMessageHandler(sp => ServiceNowConnectionHandler.Create(
                sp.GetRequiredService<IOptions<LocalDevelopmentOptions>>().Value.TrustLoopbackCertificates,
                sp.GetRequiredService<IOptions<ServiceNowOptions>>().Value.AllowPrivateAddresses,
                sp.GetRequiredService<IHostAddressResolver>()))
            // The resilience pipeline owns every timeout; HttpClient's own 100 s would cut across it.
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("servicenow", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<ServiceNowOptions>>().Value;
                pipeline
                    .AddTimeout(options.TotalTimeout)
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = Math.Max(options.MaxRetryAttempts, 1),
                        Delay = options.RetryBaseDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldRetryAfterHeader = true,
                        ShouldHandle = args => ValueTask.FromResult(
                            options.MaxRetryAttempts > 0 && ServiceNowRetryPolicy.ShouldRetry(args, options.MaxRetryAfter)),
                    })
                    .AddTimeout(options.AttemptTimeout);
            });
        // Innermost, so every attempt (each retry, each token request) is counted.
        client.AddHttpMessageHandler(sp => new UpstreamRequestCountingHandler(sp.GetRequiredService<UpstreamRequestMeter>(), UpstreamSystem.ServiceNow));
        services.TryAddSingleton<UpstreamRequestMeter>();

        services.TryAddSingleton<IHostAddressResolver, DnsHostAddressResolver>();
        services.TryAddSingleton<ServiceNowHttpClients>();
        services.TryAddSingleton<ServiceNowOAuthClient>();
        services.TryAddSingleton<IServiceNowInstancePolicy, ServiceNowInstancePolicy>();
        services.TryAddSingleton<IServiceNowTokenProvider, ServiceNowTokenProvider>();
        services.TryAddSingleton<IServiceNowConnectionVerifier, ServiceNowConnectionVerifier>();
        services.TryAddSingleton<IServiceNowClientFactory, ServiceNowClientFactory>();
        return services;
    }
}
