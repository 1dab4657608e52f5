namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// A stored integration's way into ServiceNow. Its secrets (password, client secret, refresh token) stay in
/// the secret store under <see cref="IntegrationId"/>. <see cref="TimeZone"/> is the user's <c>sys_user.time_zone</c>
/// (an IANA name). <see cref="QueryDates"/> is how the instance was measured to read the dates of this user's queries;
/// <c>null</c> (an integration stored before calibration) assumes <see cref="TimeZone"/>, else UTC. <see cref="Tables"/> are the
/// integration's ticket tables as its instance defines them (<c>null</c>: <see cref="ServiceNowTicketCatalog.OutOfBox"/>).
/// </summary>
public sealed record ServiceNowConnection(
    string IntegrationId, Uri InstanceUrl, string Username, string ClientId, string? TimeZone = null, ServiceNowQueryDates? QueryDates = null, ServiceNowTicketCatalog? Tables = null)
{
    public ServiceNowTicketCatalog Catalog => Tables ?? ServiceNowTicketCatalog.OutOfBox;

    // The catalogue and the measured query dates are left out: tokens and remembered users belong to the way in
    // (instance, user, client), and a connection built again for the same integration, after a full pass read the
    // instance or measured its dates again, must find them.
    public bool Equals(ServiceNowConnection? other) =>
        other is not null && IntegrationId == other.IntegrationId && InstanceUrl == other.InstanceUrl && Username == other.Username
        && ClientId == other.ClientId && TimeZone == other.TimeZone;

    public override int GetHashCode() => HashCode.Combine(IntegrationId, InstanceUrl, Username, ClientId, TimeZone);
}
