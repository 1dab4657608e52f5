using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// An integration's sync state, beside it in the integrations partition (row key <c>sync-</c> + id): kept
/// out of the integration's own row so that sync never races an edit of the integration for one ETag.
/// The cursors are JSON split over several properties (<c>Cursors0</c>, <c>Cursors1</c>, …): a cursor
/// remembers every ticket seen in its last second, which after a bulk change can exceed the 64 KiB a
/// single Table property holds.
/// </summary>
internal static class SyncStateEntity
{
    public const string KindValue = "syncState";
    public const string RowKeyPrefix = "sync-";
    public const string ChunkCountProperty = "CursorChunks";
    public const string ChunkPropertyPrefix = "Cursors";

    /// <summary>UTF-16 characters per property: under the 64 KiB limit.</summary>
    private const int ChunkLength = 30_000;

    /// <summary>An entity holds at most 1 MiB; this leaves room for the other properties.</summary>
    private const int MaxChunks = 15;

    public static string RowKeyFor(string integrationId) => RowKeyPrefix + integrationId;

    public static TableEntity From(SyncState state, ETag etag)
    {
        var entity = new TableEntity(IntegrationEntity.Partition, RowKeyFor(state.IntegrationId))
        {
            ETag = etag,
            ["Kind"] = KindValue,
            ["HeldByRun"] = state.HeldByRun,
            ["HeldUntil"] = state.HeldUntil,
            ["LastFullSyncAt"] = state.LastFullSyncAt,
            ["LastFindingsCheckAt"] = state.LastFindingsCheckAt,
        };
        var json = JsonSerializer.Serialize(state.Cursors.ToDictionary(c => c.Key, c => c.Value.Serialize()));
        var chunks = json.Chunk(ChunkLength).Select(c => new string(c)).ToList();
        if (chunks.Count > MaxChunks)
        {
            throw new InvalidOperationException($"The sync cursors of integration '{state.IntegrationId}' need {json.Length} characters, more than a Table entity holds.");
        }

        entity[ChunkCountProperty] = chunks.Count;
        for (var i = 0; i < chunks.Count; i++)
        {
            entity[ChunkPropertyPrefix + i] = chunks[i];
        }

        return entity;
    }

    public static SyncState ToModel(TableEntity entity)
    {
        var count = entity.GetInt32(ChunkCountProperty) ?? 0;
        var json = string.Concat(Enumerable.Range(0, count).Select(i => entity.GetString(ChunkPropertyPrefix + i)));
        return new SyncState
        {
            IntegrationId = entity.RowKey[RowKeyPrefix.Length..],
            Cursors = (count == 0 ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [])
                .ToDictionary(c => c.Key, c => ServiceNowChangeCursor.Parse(c.Value)),
            HeldByRun = entity.GetString("HeldByRun"),
            HeldUntil = entity.GetDateTimeOffset("HeldUntil"),
            LastFullSyncAt = entity.GetDateTimeOffset("LastFullSyncAt"),
            LastFindingsCheckAt = entity.GetDateTimeOffset("LastFindingsCheckAt"),
        };
    }
}
