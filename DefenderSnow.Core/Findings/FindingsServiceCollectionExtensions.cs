using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DefenderSnow.Core.Findings;

internal static class FindingsServiceCollectionExtensions
{
    public static IServiceCollection AddFindings(this IServiceCollection services)
    {
        services.TryAddSingleton<AssessmentSeverityCatalog>();
        services.TryAddSingleton<UnrecognizedSeverityLog>();
        // Transient: it holds the Resource Manager typed client, whose handler must rotate.
        services.TryAddTransient<IFindingReader, FindingReader>();
        return services;
    }
}
