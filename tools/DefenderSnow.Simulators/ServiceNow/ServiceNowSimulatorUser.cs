namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>A <c>sys_user</c> to seed. Only users with a password can obtain tokens.</summary>
public sealed record ServiceNowSimulatorUser(string UserName, string? Email = null, string? Name = null, bool Active = true, string? Password = null)
{
    public override string ToString() => $"ServiceNowSimulatorUser {{ UserName = {UserName}, Email = {Email}, Active = {Active} }}";
}
