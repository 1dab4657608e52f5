using System.Globalization;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>ServiceNow's wire format for date-times: UTC, <c>yyyy-MM-dd HH:mm:ss</c>.</summary>
internal static class ServiceNowDateTime
{
    public const string Pattern = "yyyy-MM-dd HH:mm:ss";

    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    public static DateTimeOffset? Parse(string? value) =>
        DateTime.TryParseExact(value, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed)
            ? new DateTimeOffset(parsed, TimeSpan.Zero)
            : null;
}
