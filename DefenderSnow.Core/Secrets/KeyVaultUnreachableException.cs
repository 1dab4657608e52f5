using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Secrets;

/// <summary>
/// Key Vault could not be reached, did not answer in time, or kept answering 408, 429 or 5xx after retries, or the app's
/// own credential could obtain no token for it.
/// </summary>
public sealed class KeyVaultUnreachableException : UpstreamUnreachableException
{
    public KeyVaultUnreachableException(string message, Exception? innerException = null)
        : base(KeyVaultRejectedException.SystemName, message, innerException)
    {
    }
}
