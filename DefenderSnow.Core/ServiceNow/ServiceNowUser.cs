namespace DefenderSnow.Core.ServiceNow;

/// <summary>An active <c>sys_user</c>.</summary>
public sealed record ServiceNowUser(string SysId, string UserName, string? Email, string? Name);
