using System.Text.Json;
using System.Text.Json.Serialization;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// Where a change read of one table stands. <c>sys_updated_on</c> has whole seconds, so the cursor keeps,
/// for its last second, which tickets at which <c>sys_mod_count</c> were already seen: the next read starts
/// at that second again (<c>&gt;=</c>) and skips exactly those, so a ticket changed later in the same second,
/// or changed again, is never lost. Store it with <see cref="Serialize"/> and read it back with <see cref="Parse"/>.
/// </summary>
public sealed record ServiceNowChangeCursor
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public ServiceNowChangeCursor(DateTimeOffset updatedOn, IReadOnlyDictionary<string, int>? seenAtUpdatedOn = null)
    {
        UpdatedOn = Truncate(updatedOn);
        SeenAtUpdatedOn = seenAtUpdatedOn ?? new Dictionary<string, int>();
    }

    /// <summary>Tickets updated at or after this second (UTC) are read.</summary>
    public DateTimeOffset UpdatedOn { get; }

    /// <summary>sys_id → sys_mod_count of tickets already seen at <see cref="UpdatedOn"/>.</summary>
    public IReadOnlyDictionary<string, int> SeenAtUpdatedOn { get; }

    /// <summary>A cursor that reads every change from <paramref name="since"/> on.</summary>
    public static ServiceNowChangeCursor Since(DateTimeOffset since) => new(since);

    public string Serialize() => JsonSerializer.Serialize(
        new Wire(ServiceNowDateTime.Format(UpdatedOn), SeenAtUpdatedOn.ToDictionary()),
        Json);

    /// <exception cref="FormatException"><paramref name="value"/> is not a serialized cursor.</exception>
    public static ServiceNowChangeCursor Parse(string value)
    {
        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(value, Json) ?? throw new FormatException("The change cursor is empty.");
            var updatedOn = ServiceNowDateTime.Parse(wire.T) ?? throw new FormatException("The change cursor has no time.");
            return new ServiceNowChangeCursor(updatedOn, wire.Seen ?? []);
        }
        catch (JsonException e)
        {
            throw new FormatException("The change cursor is malformed.", e);
        }
    }

    public bool Equals(ServiceNowChangeCursor? other) =>
        other is not null && UpdatedOn == other.UpdatedOn && SeenAtUpdatedOn.Count == other.SeenAtUpdatedOn.Count
        && SeenAtUpdatedOn.All(p => other.SeenAtUpdatedOn.TryGetValue(p.Key, out var count) && count == p.Value);

    public override int GetHashCode() => HashCode.Combine(UpdatedOn, SeenAtUpdatedOn.Count);

    private static DateTimeOffset Truncate(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private sealed record Wire(string T, Dictionary<string, int>? Seen);
}
