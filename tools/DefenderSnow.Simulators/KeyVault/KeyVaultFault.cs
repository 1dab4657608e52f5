namespace DefenderSnow.Simulators.KeyVault;

/// <summary>A failure the simulator can be told to answer with, before any other check.</summary>
public enum KeyVaultFault
{
    /// <summary>429 with <c>Retry-After</c> and code <c>Throttled</c>.</summary>
    Throttled,
    /// <summary>503 with <c>Retry-After</c> and code <c>ServiceUnavailable</c>.</summary>
    ServiceUnavailable,
    /// <summary>403 <c>Forbidden</c>, as when the caller lacks an RBAC role on the vault.</summary>
    Forbidden,
    /// <summary>The connection is dropped without an answer, as when the vault cannot be reached.</summary>
    Down,
}
