using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Secrets;

/// <summary>
/// Key Vault refused a request: the status and error code only, never Key Vault's
/// reason, which names the vault's secrets (<see cref="KeyVaultFailures"/>).
/// </summary>
public sealed class KeyVaultRejectedException : UpstreamRejectedException
{
    public const string SystemName = "Key Vault";

    public KeyVaultRejectedException(string message, int? statusCode = null, string? code = null, Exception? innerException = null)
        : base(SystemName, message, statusCode, code, innerException)
    {
    }
}
