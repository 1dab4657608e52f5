namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// A stored integration's way into ServiceNow. Its secrets (password, client secret, refresh token) stay in
/// the secret store under <see cref="IntegrationId"/>. <see cref="TimeZone"/> is the user's <c>sys_user.time_zone</c>
/// (an IANA name), in which ServiceNow reads query dates; <c>null</c> means UTC.
/// </summary>
public sealed record ServiceNowConnection(string IntegrationId, Uri InstanceUrl, string Username, string ClientId, string? TimeZone = null);
