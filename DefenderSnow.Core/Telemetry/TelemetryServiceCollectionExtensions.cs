using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DefenderSnow.Core.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>DefenderSnow's metrics and spans; every stack that records any registers it (idempotent).</summary>
    public static IServiceCollection AddDefenderSnowTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<DefenderSnowTelemetry>();
        return services;
    }
}
