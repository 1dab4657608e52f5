using Azure.Data.Tables;
using DefenderSnow.Core.Storage;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>Table clients on the test run's Azurite, with a table prefix of their own so tests never see each other's rows.</summary>
public static class TestTables
{
    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    public static async Task<TableClientProvider> CreateProviderAsync(string? prefix = null)
    {
        var connectionString = await Azurite.GetConnectionStringAsync();
        var options = new TableStorageOptions { ConnectionString = connectionString, TablePrefix = prefix ?? NewPrefix() };
        return new TableClientProvider(new TableServiceClient(connectionString), Options.Create(options));
    }
}
