using System.Globalization;
using System.Text.Json;
using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>How an instance was measured to read the plain dates (<c>yyyy-MM-dd HH:mm:ss</c>) of this user's encoded queries.</summary>
public enum ServiceNowQueryDateMode
{
    /// <summary>As UTC, what a ServiceNow employee documents for web services ("passed as TEXT ... it's considered as UTC").</summary>
    [ContractName("utc")]
    Utc,

    /// <summary>In the API user's <c>sys_user.time_zone</c>, as the list UI and <c>gs.dateGenerate</c> do.</summary>
    [ContractName("userTimeZone")]
    UserZone,

    /// <summary>In the system time zone (<c>glide.sys.default.tz</c>), which a user without a time zone inherits.</summary>
    [ContractName("systemTimeZone")]
    SystemZone,

    /// <summary>No measurement named the zone: the cursor's dates are sent early enough for any zone on Earth.</summary>
    [ContractName("unknown")]
    Unknown,
}

/// <summary>
/// What a calibration (<see cref="ServiceNowQueryDateProbe"/>) found: the <see cref="Mode"/>, the IANA zones the instance's
/// answers were consistent with (more than one when they coincided at the probed instant), and a <see cref="Margin"/> kept
/// when the zone is known only by its offset at one instant. A zone, not an offset, is kept: an offset measured once is
/// wrong for half the year where clocks change, a zone's rules are not.
/// </summary>
public sealed record ServiceNowQueryDates
{
    /// <summary>The widest difference between two UTC offsets in use (UTC+14 and UTC−12): bounds sent this much early miss nothing.</summary>
    public static readonly TimeSpan AnyZoneMargin = TimeSpan.FromHours(12);

    /// <summary>
    /// The largest change of a zone's offset in the year (Antarctica/Troll moves by two hours): a zone known only to be at
    /// UTC at one instant is within this of UTC at any other.
    /// </summary>
    public static readonly TimeSpan SeasonalMargin = TimeSpan.FromHours(2);

    private static readonly JsonSerializerOptions Json = new();

    public ServiceNowQueryDates(ServiceNowQueryDateMode mode, IReadOnlyList<string> zones, TimeSpan margin, DateTimeOffset measuredAt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(margin, TimeSpan.Zero);
        Mode = mode;
        Zones = zones.Count == 0 ? ["Etc/UTC"] : zones;
        Margin = margin;
        MeasuredAt = measuredAt;
    }

    public ServiceNowQueryDateMode Mode { get; }

    /// <summary>IANA zones the instance may read the dates in; the earliest reading of each is sent.</summary>
    public IReadOnlyList<string> Zones { get; }

    /// <summary>How much earlier than the cursor the bound is sent; zero when the zone is known by name.</summary>
    public TimeSpan Margin { get; }

    public DateTimeOffset MeasuredAt { get; }

    /// <summary>The zone named by the measurement, for display; <c>null</c> for UTC or when only an offset is known.</summary>
    public string? Zone => Mode is ServiceNowQueryDateMode.UserZone or ServiceNowQueryDateMode.SystemZone && Margin == TimeSpan.Zero ? Zones[0] : null;

    /// <summary>
    /// How integrations verified before calibration existed read dates: in the user's zone, else UTC (what DefenderSnow
    /// assumed then), until the next full pass measures them.
    /// </summary>
    public static ServiceNowQueryDates Assumed(string? userZone) => userZone is null
        ? new(ServiceNowQueryDateMode.Utc, ["Etc/UTC"], TimeSpan.Zero, DateTimeOffset.MinValue)
        : new(ServiceNowQueryDateMode.UserZone, [userZone], TimeSpan.Zero, DateTimeOffset.MinValue);

    /// <summary>
    /// <paramref name="since"/> as the lower bound of an encoded query: the earliest of its readings in each of
    /// <see cref="Zones"/>, <see cref="Margin"/> before. However the instance reads it, the bound is at or before
    /// <paramref name="since"/>; what lies before is dropped by the caller from the UTC answers.
    /// </summary>
    public string FormatLowerBound(DateTimeOffset since)
    {
        var at = since - Margin;
        return Zones
            .Select(z => ServiceNowDateTime.FormatForQuery(at, TimeZoneInfo.TryFindSystemTimeZoneById(z, out var zone) ? zone
                : throw new ServiceNowRejectedException($"ServiceNow reads query dates in time zone '{z}', which DefenderSnow does not know.")))
            .Min(StringComparer.Ordinal)!;
    }

    public string Serialize() => JsonSerializer.Serialize(new Wire(Mode.ToString(), [.. Zones], (int)Margin.TotalMinutes, MeasuredAt), Json);

    /// <exception cref="FormatException">Not a serialized measurement.</exception>
    public static ServiceNowQueryDates Parse(string value)
    {
        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(value, Json) ?? throw new FormatException("The query-date measurement is empty.");
            if (!Enum.TryParse<ServiceNowQueryDateMode>(wire.Mode, out var mode) || wire.MarginMinutes < 0)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"The query-date measurement '{wire.Mode}' is malformed."));
            }

            return new ServiceNowQueryDates(mode, wire.Zones ?? [], TimeSpan.FromMinutes(wire.MarginMinutes), wire.MeasuredAt);
        }
        catch (JsonException e)
        {
            throw new FormatException("The query-date measurement is malformed.", e);
        }
    }

    public bool Equals(ServiceNowQueryDates? other) =>
        other is not null && Mode == other.Mode && Margin == other.Margin && Zones.SequenceEqual(other.Zones, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Mode, Margin, Zones.Count);

    private sealed record Wire(string Mode, List<string>? Zones, int MarginMinutes, DateTimeOffset MeasuredAt);
}
