using DefenderSnow.Core.Secrets;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// Removes secrets that a failed create or update wrote. Shared by <see cref="IntegrationService"/> and
/// <see cref="IntegrationCredentialRotation"/>, which both undo their own writes the same way; the caller's
/// logger is used so the log line keeps the category of the operation that failed.
/// </summary>
internal static partial class IntegrationSecretRemoval
{
    /// <summary>Compensation runs even when the request was cancelled: a half-written integration is worse.</summary>
    public static async Task RemoveAsync(ISecretStore secrets, ILogger logger, string integrationId, IReadOnlyList<IntegrationSecret> names, string why)
    {
        foreach (var secret in names)
        {
            try
            {
                await secrets.DeleteAsync(integrationId, secret, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogSecretNotRemoved(logger, e, secret, integrationId, why);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not remove secret {Secret} of integration {IntegrationId} {Why}")]
    private static partial void LogSecretNotRemoved(ILogger logger, Exception exception, IntegrationSecret secret, string integrationId, string why);
}
