namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// How the simulated instance reads a plain date (<c>yyyy-MM-dd HH:mm:ss</c>) compared with a date-time field in an
/// encoded query; its answers are UTC either way (<c>sysparm_display_value=false</c>). Public sources disagree on what a
/// real instance does, so both readings are offered and DefenderSnow must measure which one it faces:
/// a ServiceNow employee writes that web-service dates passed as text are "considered as UTC"
/// (https://www.servicenow.com/community/united-kingdom-snug/soap-web-service-and-time-zones-examples/ba-p/2270667),
/// while the list UI, <c>gs.dateGenerate</c> and other clients (ansible-collections/servicenow.itsm,
/// extensions/eda/plugins/event_source/records.py) read them in the session user's zone.
/// </summary>
public enum ServiceNowQueryDateReading
{
    /// <summary>In the API user's <c>sys_user.time_zone</c>; a user without one has the system zone, <c>glide.sys.default.tz</c>
    /// (https://www.servicenow.com/docs/r/zurich/platform-administration/time-configuration/r_TimeZones.html), UTC when that is empty.</summary>
    UserZone,

    /// <summary>As UTC, whatever the user's zone.</summary>
    Utc,
}
