using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// An integration's sync state, beside it in the integrations partition (row key <c>sync-</c> + id): kept
/// out of the integration's own row so that sync never races an edit of the integration for one ETag.
/// </summary>
internal sealed class SyncStateEntity : ITableEntity
{
    public const string KindValue = "syncState";
    public const string RowKeyPrefix = "sync-";

    public string PartitionKey { get; set; } = IntegrationEntity.Partition;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Kind { get; set; } = KindValue;

    /// <summary>Ticket table → serialized <see cref="ServiceNowChangeCursor"/>.</summary>
    public string CursorsJson { get; set; } = "{}";

    public string? HeldByRun { get; set; }

    public DateTimeOffset? HeldUntil { get; set; }

    public DateTimeOffset? LastFullSyncAt { get; set; }

    public static string RowKeyFor(string integrationId) => RowKeyPrefix + integrationId;

    public static SyncStateEntity From(SyncState state, ETag etag) => new()
    {
        RowKey = RowKeyFor(state.IntegrationId),
        ETag = etag,
        CursorsJson = JsonSerializer.Serialize(state.Cursors.ToDictionary(c => c.Key, c => c.Value.Serialize())),
        HeldByRun = state.HeldByRun,
        HeldUntil = state.HeldUntil,
        LastFullSyncAt = state.LastFullSyncAt,
    };

    public SyncState ToModel() => new()
    {
        IntegrationId = RowKey[RowKeyPrefix.Length..],
        Cursors = (JsonSerializer.Deserialize<Dictionary<string, string>>(CursorsJson) ?? [])
            .ToDictionary(c => c.Key, c => ServiceNowChangeCursor.Parse(c.Value)),
        HeldByRun = HeldByRun,
        HeldUntil = HeldUntil,
        LastFullSyncAt = LastFullSyncAt,
    };
}
