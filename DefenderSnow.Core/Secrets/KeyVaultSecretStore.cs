using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Secrets;

/// <summary>
/// <see cref="ISecretStore"/> on Azure Key Vault: one secret per integration and kind (see
/// <see cref="KeyVaultSecretName"/>), each write a new version. Values go to Key Vault and back to the
/// caller, and nowhere else: not into logs, tags, content types or exception messages.
/// </summary>
public sealed partial class KeyVaultSecretStore : ISecretStore
{
    private readonly SecretClient _client;
    private readonly ILogger<KeyVaultSecretStore> _logger;

    public KeyVaultSecretStore(SecretClient client, ILogger<KeyVaultSecretStore> logger)
    {
        _client = client;
        _logger = logger;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The id is not a valid integration id, or the value is empty.</exception>
    public async Task SetAsync(string integrationId, IntegrationSecret secret, string value, CancellationToken cancellationToken)
    {
        var name = KeyVaultSecretName.For(integrationId, secret);
        ArgumentException.ThrowIfNullOrEmpty(value);
        var kind = KeyVaultSecretName.Kind(secret);
        var keyVaultSecret = new KeyVaultSecret(name, value);
        keyVaultSecret.Properties.ContentType = Describe(secret);
        // Tags let an operator find an integration's secrets in the portal; they are readable by anyone who can list.
        keyVaultSecret.Properties.Tags["integrationId"] = integrationId.ToLowerInvariant();
        keyVaultSecret.Properties.Tags["kind"] = kind;
        keyVaultSecret.Properties.Tags["managedBy"] = "DefenderSnow";

        var replaced = await CurrentVersionAsync(name, kind, integrationId, cancellationToken).ConfigureAwait(false);
        string storedVersion;
        try
        {
            var stored = await _client.SetSecretAsync(keyVaultSecret, cancellationToken).ConfigureAwait(false);
            storedVersion = stored.Value.Properties.Version;
            LogStored(_logger, kind, integrationId, storedVersion);
        }
        catch (Exception e) when (KeyVaultFailures.Map(e, cancellationToken) is { } mapped)
        {
            LogStoringFailed(_logger, kind, integrationId, (e as RequestFailedException)?.Status, (e as RequestFailedException)?.ErrorCode, ReasonOf(e));
            throw mapped;
        }

        if (replaced is not null && !string.Equals(replaced.Version, storedVersion, StringComparison.OrdinalIgnoreCase))
        {
            await DisableAsync(replaced, kind, integrationId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The properties of the version a write is about to replace; <c>null</c> when there is none.</summary>
    private async Task<SecretProperties?> CurrentVersionAsync(string name, string kind, string integrationId, CancellationToken cancellationToken)
    {
        try
        {
            return (await _client.GetSecretAsync(name, version: null, cancellationToken).ConfigureAwait(false)).Value.Properties;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (Exception e) when (KeyVaultFailures.Map(e, cancellationToken) is { } mapped)
        {
            LogReadingFailed(_logger, kind, integrationId, (e as RequestFailedException)?.Status, (e as RequestFailedException)?.ErrorCode, ReasonOf(e));
            throw mapped;
        }
    }

    /// <summary>
    /// A replaced credential stays readable as an older version ("each write a new version"), and a password,
    /// client secret or refresh token replaced because it leaked may still work at ServiceNow; disabling the
    /// version (Update Secret, https://learn.microsoft.com/rest/api/keyvault/secrets/update-secret/update-secret:
    /// a disabled version cannot be read) leaves only the current one to read. The new value is stored by then,
    /// so a failure here is logged and does not undo the write; the version stays enabled until removed by hand.
    /// </summary>
    private async Task DisableAsync(SecretProperties replaced, string kind, string integrationId, CancellationToken cancellationToken)
    {
        replaced.Enabled = false;
        try
        {
            await _client.UpdateSecretPropertiesAsync(replaced, cancellationToken).ConfigureAwait(false);
            LogDisabled(_logger, kind, integrationId, replaced.Version);
        }
        catch (Exception e) when (KeyVaultFailures.Map(e, cancellationToken) is not null)
        {
            LogDisablingFailed(_logger, kind, integrationId, replaced.Version, (e as RequestFailedException)?.Status, (e as RequestFailedException)?.ErrorCode, ReasonOf(e));
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The id is not a valid integration id.</exception>
    public async Task<string?> GetAsync(string integrationId, IntegrationSecret secret, CancellationToken cancellationToken)
    {
        var name = KeyVaultSecretName.For(integrationId, secret);
        var kind = KeyVaultSecretName.Kind(secret);
        try
        {
            var found = await _client.GetSecretAsync(name, version: null, cancellationToken).ConfigureAwait(false);
            LogRead(_logger, kind, integrationId, found.Value.Properties.Version);
            return found.Value.Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            LogNotFound(_logger, kind, integrationId);
            return null;
        }
        catch (Exception e) when (KeyVaultFailures.Map(e, cancellationToken) is { } mapped)
        {
            LogReadingFailed(_logger, kind, integrationId, (e as RequestFailedException)?.Status, (e as RequestFailedException)?.ErrorCode, ReasonOf(e));
            throw mapped;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Soft delete keeps the secret recoverable for the vault's retention period; the store does not
    /// wait for the deletion to finish, and never purges (that needs a permission the app should not hold).
    /// </remarks>
    /// <exception cref="ArgumentException">The id is not a valid integration id.</exception>
    public async Task DeleteAsync(string integrationId, IntegrationSecret secret, CancellationToken cancellationToken)
    {
        var name = KeyVaultSecretName.For(integrationId, secret);
        var kind = KeyVaultSecretName.Kind(secret);
        try
        {
            await _client.StartDeleteSecretAsync(name, cancellationToken).ConfigureAwait(false);
            LogDeleted(_logger, kind, integrationId);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            LogAlreadyGone(_logger, kind, integrationId);
        }
        catch (Exception e) when (KeyVaultFailures.Map(e, cancellationToken) is { } mapped)
        {
            LogDeletingFailed(_logger, kind, integrationId, (e as RequestFailedException)?.Status, (e as RequestFailedException)?.ErrorCode, ReasonOf(e));
            throw mapped;
        }
    }

    /// <summary>Key Vault's own words: they name secrets but never hold a value, so they may be logged.</summary>
    private static string? ReasonOf(Exception e) => e is RequestFailedException failed ? KeyVaultFailures.ServiceMessage(failed) : null;

    private static string Describe(IntegrationSecret secret) => secret switch
    {
        IntegrationSecret.Password => "ServiceNow user password (password grant)",
        IntegrationSecret.ClientSecret => "ServiceNow OAuth client secret",
        IntegrationSecret.RefreshToken => "ServiceNow OAuth refresh token (rewritten when ServiceNow rotates it)",
        IntegrationSecret.WebhookSecret => "Ticket event signing key (HMAC-SHA256), shared with the ServiceNow business rule",
        IntegrationSecret.PreviousWebhookSecret => "Ticket event signing key before the last rotation, accepted for a grace period",
        IntegrationSecret.InstanceBinding => "The ServiceNow instance the credentials were proven against; checked before they are sent",
        _ => throw new ArgumentOutOfRangeException(nameof(secret), secret, "Unknown kind of integration secret."),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored Key Vault secret {SecretKind} of integration {IntegrationId} as version {SecretVersion}")]
    private static partial void LogStored(ILogger logger, string secretKind, string integrationId, string secretVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Read Key Vault secret {SecretKind} of integration {IntegrationId}, version {SecretVersion}")]
    private static partial void LogRead(ILogger logger, string secretKind, string integrationId, string secretVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Key Vault secret {SecretKind} of integration {IntegrationId} does not exist")]
    private static partial void LogNotFound(ILogger logger, string secretKind, string integrationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted Key Vault secret {SecretKind} of integration {IntegrationId}")]
    private static partial void LogDeleted(ILogger logger, string secretKind, string integrationId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Key Vault secret {SecretKind} of integration {IntegrationId} was already gone")]
    private static partial void LogAlreadyGone(ILogger logger, string secretKind, string integrationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing Key Vault secret {SecretKind} of integration {IntegrationId} failed: {Status} {ErrorCode} {KeyVaultReason}")]
    private static partial void LogStoringFailed(ILogger logger, string secretKind, string integrationId, int? status, string? errorCode, string? keyVaultReason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading Key Vault secret {SecretKind} of integration {IntegrationId} failed: {Status} {ErrorCode} {KeyVaultReason}")]
    private static partial void LogReadingFailed(ILogger logger, string secretKind, string integrationId, int? status, string? errorCode, string? keyVaultReason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting Key Vault secret {SecretKind} of integration {IntegrationId} failed: {Status} {ErrorCode} {KeyVaultReason}")]
    private static partial void LogDeletingFailed(ILogger logger, string secretKind, string integrationId, int? status, string? errorCode, string? keyVaultReason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disabled the replaced version {SecretVersion} of Key Vault secret {SecretKind} of integration {IntegrationId}")]
    private static partial void LogDisabled(ILogger logger, string secretKind, string integrationId, string secretVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Disabling the replaced version {SecretVersion} of Key Vault secret {SecretKind} of integration {IntegrationId} failed, so it stays readable: {Status} {ErrorCode} {KeyVaultReason}")]
    private static partial void LogDisablingFailed(ILogger logger, string secretKind, string integrationId, string secretVersion, int? status, string? errorCode, string? keyVaultReason);
}
