using System.Globalization;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>ServiceNow's wire format for date-times: UTC, <c>yyyy-MM-dd HH:mm:ss</c>.</summary>
internal static class ServiceNowDateTime
{
    public const string Pattern = "yyyy-MM-dd HH:mm:ss";

    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary>
    /// <paramref name="value"/> as a date to compare with in an encoded query of a user whose time zone is
    /// <paramref name="zone"/>: ServiceNow reads query dates in the API user's time zone while it answers in UTC. A local
    /// time that occurs twice (clocks going back) is moved before both occurrences, so a lower bound never skips a
    /// change; callers drop what lies before the true bound from the UTC answers.
    /// </summary>
    public static string FormatForQuery(DateTimeOffset value, TimeZoneInfo? zone)
    {
        if (zone is null)
        {
            return Format(value);
        }

        var local = TimeZoneInfo.ConvertTimeFromUtc(value.UtcDateTime, zone);
        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            local -= offsets.Max() - offsets.Min();
        }

        return local.ToString(Pattern, CultureInfo.InvariantCulture);
    }

    public static DateTimeOffset? Parse(string? value) =>
        DateTime.TryParseExact(value, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed)
            ? new DateTimeOffset(parsed, TimeSpan.Zero)
            : null;
}
