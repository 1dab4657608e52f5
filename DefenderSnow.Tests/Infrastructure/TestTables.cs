using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using DefenderSnow.Core.Storage;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>Table clients on the test run's Azurite, with a table prefix of their own so tests never see each other's rows.</summary>
public static class TestTables
{
    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    /// <param name="prefix">The table prefix; a new one by default.</param>
    /// <param name="policy">Sees every request of these clients (to count them).</param>
    public static async Task<TableClientProvider> CreateProviderAsync(string? prefix = null, HttpPipelinePolicy? policy = null)
    {
        var connectionString = await Azurite.GetConnectionStringAsync();
        var options = new TableStorageOptions { ConnectionString = connectionString, TablePrefix = prefix ?? NewPrefix() };
        var clientOptions = new TableClientOptions();
        if (policy is not null)
        {
            clientOptions.AddPolicy(policy, HttpPipelinePosition.PerCall);
        }

        return new TableClientProvider(new TableServiceClient(connectionString, clientOptions), Options.Create(options));
    }
}
