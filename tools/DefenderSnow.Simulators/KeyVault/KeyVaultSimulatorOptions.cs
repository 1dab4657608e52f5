using DefenderSnow.Simulators.Hosting;

namespace DefenderSnow.Simulators.KeyVault;

/// <summary>How a <see cref="KeyVaultSimulator"/> is started.</summary>
public sealed record KeyVaultSimulatorOptions : SimulatorOptions
{
    /// <summary>The tenant named in the 401 challenge's <c>authorization</c> URI.</summary>
    public string TenantId { get; init; } = "72f988bf-0000-4000-8000-00000000d5e0";

    /// <summary>Days a deleted secret stays recoverable before it is purged (Key Vault allows 7 to 90).</summary>
    public int RecoverableDays { get; init; } = 90;
}
