using System.Collections.Concurrent;

namespace DefenderSnow.Core.TicketEvents;

/// <summary>
/// The webhook secrets per integration, held in memory for the rotation they were read for, so that anonymous events do
/// not each cost a Key Vault read. An entry is used only while the integration row still names the same rotation time,
/// so a rotation made by any instance is seen at the next event.
/// </summary>
public sealed class WebhookSecretCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    internal bool TryGet(string integrationId, DateTimeOffset rotatedAt, out Entry entry) =>
        _entries.TryGetValue(integrationId, out entry!) && entry.RotatedAt == rotatedAt;

    internal void Set(string integrationId, Entry entry) => _entries[integrationId] = entry;

    internal void Forget(string integrationId) => _entries.TryRemove(integrationId, out _);

    internal sealed record Entry(DateTimeOffset RotatedAt, string? Current, string? Previous);
}
