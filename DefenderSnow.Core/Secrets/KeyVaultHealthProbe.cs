using Azure;
using Azure.Security.KeyVault.Secrets;
using DefenderSnow.Core.Health;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Secrets;

/// <summary>
/// Reads a secret that is never created: a 404 <c>SecretNotFound</c> proves that the vault answers,
/// that the app's token is accepted and that it may read secrets, without touching any real secret.
/// </summary>
public sealed partial class KeyVaultHealthProbe : IHealthProbe
{
    /// <summary>The secret the probe reads; nothing creates it (an operator who does only keeps the probe green).</summary>
    public const string SentinelSecretName = "defendersnow-health-probe";

    private readonly SecretClient _client;
    private readonly ILogger<KeyVaultHealthProbe> _logger;

    public KeyVaultHealthProbe(SecretClient client, ILogger<KeyVaultHealthProbe> logger)
    {
        _client = client;
        _logger = logger;
    }

    public string Name => "KeyVault";

    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.GetSecretAsync(SentinelSecretName, version: null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == "SecretNotFound")
        {
            return true;
        }
        catch (RequestFailedException e)
        {
            LogRefused(_logger, e, e.Status, e.ErrorCode);
            return false;
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            LogFailed(_logger, e, e.GetType().Name);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key Vault health probe failed: {Status} {ErrorCode}")]
    private static partial void LogRefused(ILogger logger, Exception exception, int status, string? errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key Vault health probe failed: {ExceptionType}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string exceptionType);
}
