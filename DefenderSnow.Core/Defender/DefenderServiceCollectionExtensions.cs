using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using DefenderSnow.Core.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Refit;

namespace DefenderSnow.Core.Defender;

internal static class DefenderServiceCollectionExtensions
{
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(1);
    private static readonly HashSet<HttpMethod> IdempotentMethods = [HttpMethod.Get, HttpMethod.Head, HttpMethod.Options, HttpMethod.Put, HttpMethod.Delete];

    /// <summary>
    /// Registers the Resource Manager client (<see cref="IDefenderClient"/>, which needs the app's one
    /// <c>TokenCredential</c>), scope membership, and the <c>Defender</c> settings.
    /// </summary>
    public static IServiceCollection AddDefender(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<DefenderOptions>()
            .Bind(configuration.GetSection(DefenderOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DefenderOptions>, DefenderOptionsValidation>();

        services.AddSingleton<ResourceManagerTokenCache>();
        services.AddTransient<ResourceManagerAuthenticationHandler>();
        services.TryAddSingleton<SubscriptionPacer>();
        services.TryAddSingleton<UpstreamRequestMeter>();
        services.AddTransient<ResourceManagerPacingHandler>();
        var client = services
            .AddRefitGeneratedClient<IResourceManagerApi>(_ => new RefitSettings { ContentSerializer = new SystemTextJsonContentSerializer(CreateJsonOptions()) })
            .ConfigureHttpClient((sp, http) =>
            {
                http.BaseAddress = sp.GetRequiredService<IOptions<DefenderOptions>>().Value.EndpointUri;
                // Attempts are bounded by the pipeline's timeout; HttpClient's own would cut across retries.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
                LoopbackCertificatePolicy.CreateHandler(sp.GetRequiredService<IOptions<LocalDevelopmentOptions>>().Value.TrustLoopbackCertificates));

        // Outermost first: each retry passes through the authentication handler again.
        client.AddResilienceHandler("resource-manager", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<DefenderOptions>>().Value;
                if (options.MaxRetryAttempts > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.MaxRetryAttempts,
                        Delay = options.RetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldRetryAfterHeader = true,
                        ShouldHandle = args => ValueTask.FromResult(IsRetryable(args.Outcome, args.Context)),
                    });
                }

                pipeline.AddTimeout(options.AttemptTimeout);
            });
        client.AddHttpMessageHandler<ResourceManagerAuthenticationHandler>();
        client.AddHttpMessageHandler<ResourceManagerPacingHandler>();
        client.AddHttpMessageHandler(sp => new UpstreamRequestCountingHandler(sp.GetRequiredService<UpstreamRequestMeter>(), UpstreamSystem.ResourceManager));

        services.AddTransient<IDefenderClient, DefenderClient>();
        services.AddScoped<IScopeMembership, ScopeMembership>();
        services.AddSingleton<IScopeMembershipFactory, ScopeMembershipFactory>();
        return services;
    }

    internal static JsonSerializerOptions CreateJsonOptions() => new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Throttling, server errors, timeouts and transport failures are worth another attempt, but only for
    /// methods that may be repeated safely; every call of this client is one (GET, PUT, DELETE).
    /// </summary>
    private static bool IsRetryable(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var method = outcome.Result?.RequestMessage?.Method ?? context.GetRequestMessage()?.Method;
        if (method is null || !IdempotentMethods.Contains(method))
        {
            return false;
        }

        if (outcome.Result is not { } response)
        {
            return HttpClientResiliencePredicates.IsTransient(outcome);
        }

        // A caller should not hang for as long as a throttled subscription is told to wait; it is better told now.
        if (response.Headers.RetryAfter?.Delta > MaxRetryAfter)
        {
            return false;
        }

        return response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
    }
}
