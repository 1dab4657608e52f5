namespace DefenderSnow.Tests.Secrets;

/// <summary>The ways a vault fails that tests try the store and the probe against (see <see cref="KeyVaultTestEnvironment.InjectPersistent"/>).</summary>
public enum KeyVaultTestFault
{
    Throttled,
    ServiceUnavailable,
    Forbidden,
    Down,
}
