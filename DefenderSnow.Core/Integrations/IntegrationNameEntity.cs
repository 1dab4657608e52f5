using Azure;
using Azure.Data.Tables;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// Reserves a name within a scope. Inserted with the integration in one transaction, so two
/// integrations of one scope can never share a name, however the requests race.
/// </summary>
internal sealed class IntegrationNameEntity : ITableEntity
{
    public const string KindValue = "name";
    private const string Prefix = "name-";

    public string PartitionKey { get; set; } = IntegrationEntity.Partition;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Kind { get; set; } = KindValue;

    public string IntegrationId { get; set; } = string.Empty;

    /// <summary>Names compare without regard to case: "SNOW" and "snow" in one scope would only confuse.</summary>
    public static string RowKeyFor(string scopeId, string name) =>
        Prefix + StorageKeys.Hash(scopeId.ToLowerInvariant(), name.ToLowerInvariant());
}
