using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Core.Secrets;

internal static class SecretsServiceCollectionExtensions
{
    public static IServiceCollection AddSecretStore(this IServiceCollection services, IConfiguration configuration)
    {
        return services;
    }
}
