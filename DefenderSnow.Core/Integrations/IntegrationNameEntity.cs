using Azure;
using Azure.Data.Tables;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// Reserves a name within a scope. Inserted (pending) before a create writes anything, and made final in
/// the transaction that inserts the integration, so two integrations of one scope can never share a name,
/// and a create that loses the race writes nothing at all.
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

    /// <summary>Held for a create that has not finished; such a row may be taken over once it is stale.</summary>
    public bool Pending { get; set; }

    public DateTimeOffset? ReservedAt { get; set; }

    /// <summary>Names compare without regard to case: "SNOW" and "snow" in one scope would only confuse.</summary>
    public static string RowKeyFor(string scopeId, string name) =>
        Prefix + StorageKeys.Hash(scopeId.ToLowerInvariant(), name.ToLowerInvariant());
}
