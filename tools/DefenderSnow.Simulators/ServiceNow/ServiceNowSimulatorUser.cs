namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// A <c>sys_user</c> to seed. Only users with a password can obtain tokens. <see cref="TimeZone"/> is
/// <c>sys_user.time_zone</c> (an IANA name such as <c>Europe/Paris</c>); the instance reads this user's query dates in it.
/// </summary>
public sealed record ServiceNowSimulatorUser(string UserName, string? Email = null, string? Name = null, bool Active = true, string? Password = null, string? TimeZone = null)
{
    public override string ToString() => $"ServiceNowSimulatorUser {{ UserName = {UserName}, Email = {Email}, Active = {Active}, TimeZone = {TimeZone} }}";
}
