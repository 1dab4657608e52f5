namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// A stored integration's way into ServiceNow. Its secrets (password, client secret, refresh token) stay in
/// the secret store under <see cref="IntegrationId"/>. <see cref="TimeZone"/> is the user's <c>sys_user.time_zone</c>
/// (an IANA name). <see cref="QueryDates"/> is how the instance was measured to read the dates of this user's queries;
/// <c>null</c> (an integration stored before calibration) assumes <see cref="TimeZone"/>, else UTC.
/// </summary>
public sealed record ServiceNowConnection(string IntegrationId, Uri InstanceUrl, string Username, string ClientId, string? TimeZone = null, ServiceNowQueryDates? QueryDates = null);
