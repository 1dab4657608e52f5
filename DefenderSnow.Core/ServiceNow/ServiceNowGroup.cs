namespace DefenderSnow.Core.ServiceNow;

/// <summary>An active <c>sys_user_group</c>.</summary>
public sealed record ServiceNowGroup(string SysId, string Name);
