using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Core.ServiceNow;

internal static class ServiceNowServiceCollectionExtensions
{
    public static IServiceCollection AddServiceNow(this IServiceCollection services, IConfiguration configuration)
    {
        return services;
    }
}
