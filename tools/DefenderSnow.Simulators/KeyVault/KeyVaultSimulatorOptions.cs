namespace DefenderSnow.Simulators.KeyVault;

/// <summary>How a <see cref="KeyVaultSimulator"/> is started.</summary>
public sealed record KeyVaultSimulatorOptions
{
    /// <summary>The port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>The tenant named in the 401 challenge's <c>authorization</c> URI.</summary>
    public string TenantId { get; init; } = "72f988bf-0000-4000-8000-00000000d5e0";

    /// <summary>Days a deleted secret stays recoverable before it is purged (Key Vault allows 7 to 90).</summary>
    public int RecoverableDays { get; init; } = 90;

    /// <summary>The <c>Retry-After</c> of an injected 429 or 503; whole seconds as Key Vault sends them.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Clock for created/updated/deleted dates, purge schedules and token expiry.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
