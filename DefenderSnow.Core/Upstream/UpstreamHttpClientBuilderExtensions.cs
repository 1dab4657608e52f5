using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace DefenderSnow.Core.Upstream;

/// <summary>The one registration shape of an upstream HTTP client (ServiceNow, Resource Manager, and whatever comes next).</summary>
internal static class UpstreamHttpClientBuilderExtensions
{
    /// <param name="system">The upstream: names its pipeline, its request counts and its metrics.</param>
    /// <summary>
    /// Gives the client its primary handler (a <see cref="SocketsHttpHandler"/> whose connections rotate),
    /// leaves every timeout to the pipeline (HttpClient's own 100 s would cut across it), and adds the one
    /// resilience pipeline: total timeout, then retries (honouring <c>Retry-After</c> up to its cap, on the
    /// app's <see cref="TimeProvider"/>), then the attempt timeout. Handlers added after this run on every
    /// attempt, so, for example, each retry is authenticated afresh.
    /// </summary>
    public static IHttpClientBuilder AddUpstreamPipeline(
        this IHttpClientBuilder builder,
        UpstreamSystem system,
        Func<IServiceProvider, SocketsHttpHandler> primaryHandler,
        Func<IServiceProvider, UpstreamResilience> resilience)
    {
        builder.Services.AddDefenderSnowTelemetry();
        builder
            .ConfigurePrimaryHttpMessageHandler(primaryHandler)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler(DefenderSnowTelemetry.NameOf(system), (pipeline, context) =>
            {
                var settings = resilience(context.ServiceProvider);
                var clock = context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
                pipeline.AddTimeout(settings.TotalTimeout);
                if (settings.MaxRetryAttempts > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = settings.MaxRetryAttempts,
                        Delay = settings.RetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldRetryAfterHeader = true,
                        ShouldHandle = args => ValueTask.FromResult(
                            UpstreamRetryPolicy.ShouldRetry(args.Outcome, args.Context.GetRequestMessage(), settings, clock.GetUtcNow())),
                    });
                }

                pipeline.AddTimeout(settings.AttemptTimeout);
            });

        // Per attempt: every request and every 429 counts, and no body is parsed before it is known to be bounded.
        builder.Services.TryAddSingleton<UpstreamRequestMeter>();
        builder
            .AddHttpMessageHandler(sp => new UpstreamRequestCountingHandler(sp.GetRequiredService<UpstreamRequestMeter>(), sp.GetRequiredService<DefenderSnowTelemetry>(), system))
            .AddHttpMessageHandler(() => new ResponseSizeLimitHandler());
        return builder;
    }
}
