namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>What the refresh grant answers about the refresh token; real instances differ.</summary>
public enum RefreshTokenRotation
{
    /// <summary>The same refresh token comes back.</summary>
    ReturnSame,
    /// <summary>A new refresh token comes back and the old one stops working.</summary>
    Rotate,
    /// <summary>No refresh token in the answer; the old one keeps working.</summary>
    Omit,
}

public sealed class ServiceNowSimulatorOptions
{
    /// <summary>0 picks a free port.</summary>
    public int Port { get; set; }

    /// <summary>Clock for token lifespans and <c>sys_*_on</c> stamps; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>ServiceNow's default is 1,800 s; <c>expires_in</c> reports one second less, as ServiceNow does.</summary>
    public TimeSpan AccessTokenLifespan { get; set; } = TimeSpan.FromSeconds(1800);

    /// <summary>ServiceNow's default is 100 days.</summary>
    public TimeSpan RefreshTokenLifespan { get; set; } = TimeSpan.FromDays(100);

    public RefreshTokenRotation RefreshTokenRotation { get; set; } = RefreshTokenRotation.ReturnSame;

    /// <summary>
    /// Seeds an OAuth client (<c>local-client</c> / <c>local-secret</c>), a service user (<c>svc-defender</c> /
    /// <c>local-password</c>), two more users and a group, for a local run without set-up.
    /// </summary>
    public bool SeedLocalDefaults { get; set; }
}
