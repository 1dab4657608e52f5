using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using DefenderSnow.Core.Health;
using DefenderSnow.Core.Hosting;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Storage;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the table and queue service clients (with the app's one credential, or a connection string
    /// locally), the stores' providers, the work-queue sender and both health probes; <c>Storage</c> and
    /// the queue names are validated when the host starts.
    /// </summary>
    public static IServiceCollection AddTableStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<TableStorageOptions, TableStorageOptionsValidation>(configuration.GetSection(TableStorageOptions.SectionName));

        services.AddAzureClients(clients => clients.AddClient<TableServiceClient, TableClientOptions>((clientOptions, credential, provider) =>
        {
            var options = provider.GetRequiredService<IOptions<TableStorageOptions>>().Value;
            foreach (var extra in provider.GetServices<TableStoragePipelinePolicy>())
            {
                clientOptions.AddPolicy(extra.Policy, HttpPipelinePosition.PerRetry);
            }

            return options.TableServiceUri is { } uri
                ? new TableServiceClient(uri, credential, clientOptions)
                : new TableServiceClient(options.ConnectionString, clientOptions);
        }));

        services.TryAddSingleton<TableClientProvider>();
        services.TryAddSingleton<ContinuationTokenCodec>();
        services.AddSingleton<IHealthProbe, TableStorageHealthProbe>();

        // Top-level settings (SyncIntegrationsQueue, …), as the queue triggers name them. A Queues section left over
        // from before stops start-up: the triggers would not read it, so its queue names would silently not apply.
        services.AddValidatedOptions<QueueOptions, QueueOptionsValidation>(configuration)
            .Configure(options => options.RetiredSectionSet = configuration.GetSection(QueueOptions.RetiredSectionName).Exists());
        services.AddAzureClients(clients => clients.AddClient<QueueServiceClient, QueueClientOptions>((clientOptions, credential, provider) =>
        {
            // The Functions queue trigger reads base64 by default; the sender must write what it reads.
            clientOptions.MessageEncoding = QueueMessageEncoding.Base64;
            var options = provider.GetRequiredService<IOptions<TableStorageOptions>>().Value;
            return options.QueueServiceUri is { } uri
                ? new QueueServiceClient(uri, credential, clientOptions)
                : new QueueServiceClient(options.ConnectionString, clientOptions);
        }));
        services.TryAddSingleton<QueueClientProvider>();
        services.TryAddSingleton<IWorkQueueSender, WorkQueueSender>();
        services.TryAddSingleton<WorkQueueMessageReader>();
        services.AddSingleton<IHealthProbe, QueueStorageHealthProbe>();
        return services;
    }
}
