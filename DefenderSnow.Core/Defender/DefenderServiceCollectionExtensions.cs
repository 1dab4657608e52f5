using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Core.Defender;

internal static class DefenderServiceCollectionExtensions
{
    public static IServiceCollection AddDefender(this IServiceCollection services, IConfiguration configuration)
    {
        return services;
    }
}
