using System.Text.Json;
using System.Text.Json.Serialization;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// Where a change read of one table stands. <c>sys_updated_on</c> has whole seconds, so the cursor keeps,
/// for its last second, which tickets at which <c>sys_mod_count</c> were already seen: the next read starts
/// at that second again (<c>&gt;=</c>) and skips exactly those, so a ticket changed later in the same second,
/// or changed again, is never lost. Within a read of several pages it also holds where the next page starts:
/// after ticket <see cref="AfterSysId"/> of that second (keyset paging in <c>sys_updated_on</c>, <c>sys_id</c> order),
/// and <see cref="Skip"/> rows further when whole pages came back empty (rows hidden by row-level ACLs).
/// Store it with <see cref="Serialize"/> and read it back with <see cref="Parse"/>.
/// </summary>
public sealed record ServiceNowChangeCursor
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public ServiceNowChangeCursor(DateTimeOffset updatedOn, IReadOnlyDictionary<string, int>? seenAtUpdatedOn = null, string? afterSysId = null, int skip = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        UpdatedOn = Truncate(updatedOn);
        SeenAtUpdatedOn = seenAtUpdatedOn ?? new Dictionary<string, int>();
        AfterSysId = afterSysId;
        Skip = skip;
    }

    /// <summary>Tickets updated at or after this second (UTC) are read.</summary>
    public DateTimeOffset UpdatedOn { get; }

    /// <summary>sys_id → sys_mod_count of tickets already seen at <see cref="UpdatedOn"/>.</summary>
    public IReadOnlyDictionary<string, int> SeenAtUpdatedOn { get; }

    /// <summary>
    /// Set while a read has more pages: the next page holds tickets after this one (same <see cref="UpdatedOn"/>,
    /// greater sys_id) or updated later. <c>null</c> at the start of a read.
    /// </summary>
    public string? AfterSysId { get; }

    /// <summary>Rows of the next page's query already passed without a ticket to show (hidden by row-level ACLs).</summary>
    public int Skip { get; }

    /// <summary>A cursor that reads every change from <paramref name="since"/> on.</summary>
    public static ServiceNowChangeCursor Since(DateTimeOffset since) => new(since);

    public string Serialize() => JsonSerializer.Serialize(
        new Wire(ServiceNowDateTime.Format(UpdatedOn), SeenAtUpdatedOn.ToDictionary(), AfterSysId, Skip),
        Json);

    /// <exception cref="FormatException"><paramref name="value"/> is not a serialized cursor.</exception>
    public static ServiceNowChangeCursor Parse(string value)
    {
        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(value, Json) ?? throw new FormatException("The change cursor is empty.");
            var updatedOn = ServiceNowDateTime.Parse(wire.T) ?? throw new FormatException("The change cursor has no time.");
            if (wire.S < 0 || (wire.A is not null && !ServiceNowQueryValue.IsSysId(wire.A)))
            {
                throw new FormatException("The change cursor's page position is malformed.");
            }

            return new ServiceNowChangeCursor(updatedOn, wire.Seen ?? [], wire.A, wire.S);
        }
        catch (JsonException e)
        {
            throw new FormatException("The change cursor is malformed.", e);
        }
    }

    public bool Equals(ServiceNowChangeCursor? other) =>
        other is not null && UpdatedOn == other.UpdatedOn && AfterSysId == other.AfterSysId && Skip == other.Skip
        && SeenAtUpdatedOn.Count == other.SeenAtUpdatedOn.Count
        && SeenAtUpdatedOn.All(p => other.SeenAtUpdatedOn.TryGetValue(p.Key, out var count) && count == p.Value);

    public override int GetHashCode() => HashCode.Combine(UpdatedOn, SeenAtUpdatedOn.Count, AfterSysId, Skip);

    private static DateTimeOffset Truncate(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private sealed record Wire(string T, Dictionary<string, int>? Seen, string? A = null, int S = 0);
}
