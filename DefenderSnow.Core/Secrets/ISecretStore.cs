namespace DefenderSnow.Core.Secrets;

/// <summary>
/// Per-integration secrets in Key Vault. Values never appear in logs, exceptions or responses.
/// </summary>
public interface ISecretStore
{
    /// <summary>Stores <paramref name="value"/> as a new version of the secret (creating it, or rotating it).</summary>
    Task SetAsync(string integrationId, IntegrationSecret secret, string value, CancellationToken cancellationToken);

    /// <summary>The latest value, or <c>null</c> when the secret does not exist.</summary>
    Task<string?> GetAsync(string integrationId, IntegrationSecret secret, CancellationToken cancellationToken);

    /// <summary>Deletes the secret; a secret that is already gone is not an error.</summary>
    Task DeleteAsync(string integrationId, IntegrationSecret secret, CancellationToken cancellationToken);
}
