using System.Globalization;
using System.Net;
using System.Text.Json.Serialization;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// Measures how the instance reads the dates of this user's encoded queries, the bound of every incremental read. Public
/// sources disagree: a ServiceNow employee writes that a date passed as text to a web service "is considered as UTC"
/// and only <c>javascript:gs.dateGenerate(...)</c> is read in the user's zone
/// (https://www.servicenow.com/community/united-kingdom-snug/soap-web-service-and-time-zones-examples/ba-p/2270667);
/// other clients convert the bound into the user's zone (ansible-collections/servicenow.itsm,
/// extensions/eda/plugins/event_source/records.py), and a user without a zone inherits the system zone,
/// <c>glide.sys.default.tz</c> (https://www.servicenow.com/docs/r/zurich/platform-administration/time-configuration/r_TimeZones.html),
/// which the Table API may not let the user read (ansible-collections/servicenow.itsm pull request 517). So the instance is
/// asked: the user's own <c>sys_user</c> record has a <c>sys_created_on</c> that never changes and comes back in UTC
/// (<c>sysparm_display_value=false</c>); it is looked for by that time written as each candidate zone would write it, and
/// the zones whose writing finds it are the ones the instance may read dates in.
/// </summary>
internal static class ServiceNowQueryDateProbe
{
    public const string SystemTimeZoneProperty = "glide.sys.default.tz";

    /// <param name="send">Sends one Table API list read (the caller's authorization).</param>
    public static async Task<ServiceNowQueryDates> MeasureAsync(
        Func<string, ServiceNowListQuery, CancellationToken, Task<HttpResponseMessage>> send,
        ServiceNowSelfRecord self,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var userSysId = ServiceNowQueryValue.SysId(self.SysId ?? string.Empty, "sys_id");
        var createdOn = ServiceNowDateTime.Parse(self.CreatedOn)
            ?? throw new ServiceNowUnreachableException("ServiceNow returned the user's own record without a sys_created_on.");
        var userZone = ServiceNowJson.NullIfEmpty(self.TimeZone);
        var systemZone = userZone is null ? await ReadSystemZoneAsync(send, cancellationToken).ConfigureAwait(false) : null;

        var candidates = new List<(ServiceNowQueryDateMode Mode, string Zone)>();
        if (userZone is not null)
        {
            candidates.Add((ServiceNowQueryDateMode.UserZone, userZone));
        }
        else if (systemZone is not null)
        {
            candidates.Add((ServiceNowQueryDateMode.SystemZone, systemZone));
        }

        candidates.Add((ServiceNowQueryDateMode.Utc, "Etc/UTC"));

        var found = new Dictionary<string, bool>(StringComparer.Ordinal);
        var matched = new List<(ServiceNowQueryDateMode Mode, string Zone)>();
        foreach (var candidate in candidates)
        {
            var written = Write(createdOn, candidate.Zone);
            if (written is null)
            {
                continue;
            }

            // One record has one creation time: once a writing found it, a different writing cannot (same reading of both).
            if (!found.TryGetValue(written, out var hit) && matched.Count == 0)
            {
                hit = await FindsAsync(send, userSysId, written, cancellationToken).ConfigureAwait(false);
                found[written] = hit;
            }

            if (hit)
            {
                matched.Add(candidate);
            }
        }

        if (matched.Count == 0)
        {
            return new ServiceNowQueryDates(ServiceNowQueryDateMode.Unknown, ["Etc/UTC"], ServiceNowQueryDates.AnyZoneMargin, now);
        }

        if (userZone is null && systemZone is null)
        {
            // The user inherits a system zone nobody may read, found at UTC at one instant: within two hours of UTC always.
            return new ServiceNowQueryDates(ServiceNowQueryDateMode.SystemZone, ["Etc/UTC"], ServiceNowQueryDates.SeasonalMargin, now);
        }

        // Zones that coincided at the probed instant (London and UTC in winter) cannot be told apart: both are kept.
        return new ServiceNowQueryDates(matched[0].Mode, [.. matched.Select(m => m.Zone).Distinct(StringComparer.Ordinal)], TimeSpan.Zero, now);
    }

    /// <summary>The time as written in <paramref name="zoneId"/>; <c>null</c> for a zone this host does not know.</summary>
    private static string? Write(DateTimeOffset utc, string zoneId) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone)
            ? TimeZoneInfo.ConvertTimeFromUtc(utc.UtcDateTime, zone).ToString(ServiceNowDateTime.Pattern, CultureInfo.InvariantCulture)
            : null;

    private static async Task<bool> FindsAsync(
        Func<string, ServiceNowListQuery, CancellationToken, Task<HttpResponseMessage>> send, string userSysId, string written, CancellationToken cancellationToken)
    {
        var query = new ServiceNowListQuery { Query = $"sys_id={userSysId}^sys_created_on={written}", Fields = "sys_id", Limit = 1 };
        using var response = await send("sys_user", query, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ServiceNowCall.ToExceptionAsync(response, "to read the user's own record", "sys_user", cancellationToken).ConfigureAwait(false);
        }

        var records = await ServiceNowJson.ReadResultAsync<List<ServiceNowSelfRecord>>(response, cancellationToken).ConfigureAwait(false);
        return records.Any(r => r.SysId == userSysId);
    }

    /// <summary>
    /// <c>glide.sys.default.tz</c> from <c>sys_properties</c>, or <c>null</c> when the user may not read it, it is empty
    /// (the instance then uses its JVM's zone) or names a zone this host does not know.
    /// </summary>
    private static async Task<string?> ReadSystemZoneAsync(
        Func<string, ServiceNowListQuery, CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        var query = new ServiceNowListQuery { Query = $"name={SystemTimeZoneProperty}", Fields = "name,value", Limit = 1 };
        using var response = await send("sys_properties", query, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
        {
            throw await ServiceNowCall.ToExceptionAsync(response, "to read table 'sys_properties'", "sys_properties", cancellationToken).ConfigureAwait(false);
        }

        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var records = await ServiceNowJson.ReadResultAsync<List<ServiceNowPropertyRecord>>(response, cancellationToken).ConfigureAwait(false);
        var value = ServiceNowJson.NullIfEmpty(records.FirstOrDefault(r => r.Name == SystemTimeZoneProperty)?.Value);
        return value is not null && TimeZoneInfo.TryFindSystemTimeZoneById(value, out _) ? value : null;
    }
}

/// <summary>The API user's own <c>sys_user</c> record as the calibration reads it.</summary>
internal sealed record ServiceNowSelfRecord(
    [property: JsonPropertyName("sys_id")] string? SysId,
    [property: JsonPropertyName("time_zone")] string? TimeZone,
    [property: JsonPropertyName("sys_created_on")] string? CreatedOn);

/// <summary>A <c>sys_properties</c> record.</summary>
internal sealed record ServiceNowPropertyRecord(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("value")] string? Value);
