namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// Proof that credentials work: the refresh token ServiceNow issued for them, to be stored in Key Vault, and the
/// user's time zone (<c>sys_user.time_zone</c>, <c>null</c> when the user has none), in which ServiceNow reads the
/// dates of this user's queries, how the instance was measured to read them (<see cref="QueryDates"/>), and what the
/// instance offers on the ticket tables (<see cref="Instance.ServiceNowSchemaReader"/>). <see cref="ToString"/> never shows the token.
/// </summary>
public sealed record ServiceNowVerifiedConnection(
    Uri InstanceUrl, string Username, string RefreshToken, string? TimeZone = null, ServiceNowQueryDates? QueryDates = null, Instance.ServiceNowInstanceSchema? Instance = null)
{
    public override string ToString() =>
        $"ServiceNowVerifiedConnection {{ InstanceUrl = {InstanceUrl}, Username = {Username}, RefreshToken = ***, TimeZone = {TimeZone}, QueryDates = {QueryDates?.Mode} }}";
}
