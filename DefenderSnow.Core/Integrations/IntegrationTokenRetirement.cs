using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Core.ServiceNow;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// Ends refresh tokens DefenderSnow no longer uses (issue 26 item 6): the one a credential update replaced, and the
/// stored one of an integration being deleted. Deleting the Key Vault secret alone leaves the token valid at ServiceNow
/// for its whole lifespan (100 days by default), usable by whoever copied it. A token is sent only to the instance its
/// credentials are bound to (<see cref="InstanceBinding"/>), never to whatever the integration row names now, and
/// revoking is best effort: it never holds up or undoes the update or the deletion.
/// </summary>
public sealed partial class IntegrationTokenRetirement
{
    private readonly ISecretStore _secrets;
    private readonly InstanceBinding _binding;
    private readonly IServiceNowTokenRevoker _oauth;
    private readonly IServiceNowTokenProvider _tokens;
    private readonly ILogger<IntegrationTokenRetirement> _logger;

    public IntegrationTokenRetirement(
        ISecretStore secrets, InstanceBinding binding, IServiceNowTokenRevoker oauth, IServiceNowTokenProvider tokens, ILogger<IntegrationTokenRetirement> logger)
    {
        _secrets = secrets;
        _binding = binding;
        _oauth = oauth;
        _tokens = tokens;
        _logger = logger;
    }

    /// <summary>For a deletion, before the secrets go: revokes the stored refresh token and forgets the cached access tokens.</summary>
    public async Task RetireAsync(string integrationId, Uri? instanceUrl, CancellationToken cancellationToken)
    {
        if (instanceUrl is not null
            && await _secrets.GetAsync(integrationId, IntegrationSecret.RefreshToken, cancellationToken).ConfigureAwait(false) is { } refreshToken)
        {
            await RevokeAsync(integrationId, instanceUrl, refreshToken, cancellationToken).ConfigureAwait(false);
        }

        _tokens.Forget(integrationId);
    }

    /// <summary>
    /// Revokes <paramref name="refreshToken"/> at <paramref name="instanceUrl"/> when the integration's credentials are bound
    /// there; a binding that cannot be read sends nothing and throws nothing.
    /// </summary>
    public async Task RevokeAsync(string integrationId, Uri instanceUrl, string refreshToken, CancellationToken cancellationToken)
    {
        bool? bound;
        try
        {
            bound = await _binding.IsBoundToAsync(integrationId, instanceUrl, cancellationToken).ConfigureAwait(false);
        }
        catch (DomainException e)
        {
            LogBindingUnread(_logger, integrationId, e.Message);
            return;
        }

        if (bound != true)
        {
            LogNotSent(_logger, integrationId, instanceUrl.Host);
            return;
        }

        if (await _oauth.RevokeAsync(instanceUrl, refreshToken, cancellationToken).ConfigureAwait(false))
        {
            LogRevoked(_logger, integrationId, instanceUrl.Host);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Revoked a refresh token of integration {IntegrationId} no longer in use at {InstanceHost}")]
    private static partial void LogRevoked(ILogger logger, string integrationId, string instanceHost);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Did not revoke a refresh token of integration {IntegrationId} no longer in use: its instance binding could not be read ({Reason})")]
    private static partial void LogBindingUnread(ILogger logger, string integrationId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Did not revoke the refresh token of integration {IntegrationId}: its credentials are not bound to {InstanceHost}, so the token is sent nowhere")]
    private static partial void LogNotSent(ILogger logger, string integrationId, string instanceHost);
}
