using Azure.Core;
using Azure.Data.Tables;
using DefenderSnow.Core.Health;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Storage;

internal static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddTableStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TableStorageOptions>()
            .Bind(configuration.GetSection(TableStorageOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddAzureClients(clients => clients.AddClient<TableServiceClient, TableClientOptions>((clientOptions, credential, provider) =>
        {
            var options = provider.GetRequiredService<IOptions<TableStorageOptions>>().Value;
            return options.TableServiceUri is { } uri
                ? new TableServiceClient(uri, credential, clientOptions)
                : new TableServiceClient(options.ConnectionString, clientOptions);
        }));

        services.AddSingleton<TableClientProvider>();
        services.AddSingleton<ContinuationTokenCodec>();
        services.AddSingleton<IHealthProbe, TableStorageHealthProbe>();
        return services;
    }
}
