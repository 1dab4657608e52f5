using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// Replaces the credentials of an integration for <see cref="IntegrationService.UpdateAsync"/>: the new
/// ones are proven against ServiceNow and stored before they replace the old ones, and a failure puts the
/// old ones back (or, when a delete won the race, removes what was written).
/// </summary>
public sealed partial class IntegrationCredentialRotation
{
    private readonly IIntegrationStore _store;
    private readonly ISecretStore _secrets;
    private readonly IServiceNowConnectionVerifier _verifier;
    private readonly IServiceNowTokenProvider _tokens;
    private readonly InstanceBinding _binding;
    private readonly IntegrationTokenRetirement _retirement;
    private readonly ILogger<IntegrationCredentialRotation> _logger;

    public IntegrationCredentialRotation(
        IIntegrationStore store,
        ISecretStore secrets,
        IServiceNowConnectionVerifier verifier,
        IServiceNowTokenProvider tokens,
        InstanceBinding binding,
        IntegrationTokenRetirement retirement,
        ILogger<IntegrationCredentialRotation> logger)
    {
        _store = store;
        _secrets = secrets;
        _binding = binding;
        _verifier = verifier;
        _tokens = tokens;
        _retirement = retirement;
        _logger = logger;
    }

    /// <param name="current">The integration as read, whose version the save is conditional on.</param>
    /// <param name="updated">The integration with the request's changes; its username and client id are the ones proven.</param>
    /// <param name="password">The new password, or null to keep the stored one.</param>
    /// <param name="clientSecret">The new client secret, or null to keep the stored one.</param>
    public async Task<Integration> ReplaceAsync(Versioned<Integration> current, Integration updated, string? password, string? clientSecret, CancellationToken cancellationToken)
    {
        var id = current.Value.Id;
        var oldPassword = await _secrets.GetAsync(id, IntegrationSecret.Password, cancellationToken).ConfigureAwait(false);
        var oldClientSecret = await _secrets.GetAsync(id, IntegrationSecret.ClientSecret, cancellationToken).ConfigureAwait(false);
        var oldRefreshToken = await _secrets.GetAsync(id, IntegrationSecret.RefreshToken, cancellationToken).ConfigureAwait(false);
        var newPassword = password ?? oldPassword;
        var newClientSecret = clientSecret ?? oldClientSecret;
        if (newPassword is null || newClientSecret is null)
        {
            var errors = new Dictionary<string, string[]>();
            if (newPassword is null)
            {
                errors["password"] = ["The stored password is missing; supply it with the change."];
            }

            if (newClientSecret is null)
            {
                errors["clientSecret"] = ["The stored client secret is missing; supply it with the change."];
            }

            throw new ValidationException(errors);
        }

        // The row's instance URL is what the new credentials are proven against, so it must be the one the stored credentials
        // are bound to: a row changed outside the API would otherwise receive the stored secret it reuses, or the new ones.
        // Credentials stored before bindings existed are bound here, but only when both secrets come fresh with the request.
        var bound = await _binding.IsBoundToAsync(id, updated.InstanceUrl, cancellationToken).ConfigureAwait(false);
        if (bound == false || (bound is null && (password is null || clientSecret is null)))
        {
            await _binding.RequireAsync(id, updated.InstanceUrl, cancellationToken).ConfigureAwait(false);
        }

        var oldBinding = bound == true ? InstanceBinding.ValueFor(id, updated.InstanceUrl) : null;
        var verified = await _verifier.VerifyAsync(
            new ServiceNowCredentials(updated.InstanceUrl, updated.Username, newPassword, updated.ClientId, newClientSecret, updated.TicketTableNames), cancellationToken).ConfigureAwait(false);

        var replaced = new List<(IntegrationSecret Secret, string? Previous)>();
        Integration result;
        try
        {
            foreach (var (secret, value, previous) in new[]
            {
                (IntegrationSecret.Password, newPassword, oldPassword),
                (IntegrationSecret.ClientSecret, newClientSecret, oldClientSecret),
                (IntegrationSecret.RefreshToken, verified.RefreshToken, oldRefreshToken),
                (IntegrationSecret.InstanceBinding, InstanceBinding.ValueFor(id, updated.InstanceUrl), oldBinding),
            })
            {
                if (value == previous)
                {
                    continue;
                }

                await _secrets.SetAsync(id, secret, value, cancellationToken).ConfigureAwait(false);
                replaced.Add((secret, previous));
            }

            var saved = await _store.UpdateAsync(
                current with { Value = updated with { Status = IntegrationStatus.Connected, StatusDetail = null, ServiceNowTimeZone = verified.TimeZone, ServiceNowQueryDates = verified.QueryDates } }, current.Value.Name, cancellationToken).ConfigureAwait(false);
            _tokens.Forget(id);
            LogCredentialsReplaced(_logger, id, updated.UpdatedBy ?? "an unnamed caller");
            result = saved.Value;
        }
        catch (Exception e) when (replaced.Count > 0 || e is DomainException)
        {
            _tokens.Forget(id);
            var now = await ReloadAfterFailureAsync(id).ConfigureAwait(false);
            if (now is { Exists: false } or { Value.DeletionStartedAt: not null })
            {
                // A delete won the race. Restoring would bring back secrets the delete has removed; what this
                // update wrote goes too, and the caller learns what happened, not what Key Vault said about it.
                await RemoveSecretsAsync(id, replaced.Select(r => r.Secret).ToList(), "after an update lost to a delete").ConfigureAwait(false);
                if (now.Exists)
                {
                    throw new ConflictException($"Integration '{id}' is being deleted; repeat the delete to finish it.", e);
                }

                throw new NotFoundException("Integration", id);
            }

            // Put the proven old credentials back, so a failed change leaves the integration as it was; a
            // secret that had no value before goes again.
            foreach (var (secret, previous) in replaced)
            {
                if (previous is null)
                {
                    await RemoveSecretsAsync(id, [secret], "after a failed update").ConfigureAwait(false);
                }
                else
                {
                    await RestoreSecretAsync(id, secret, previous).ConfigureAwait(false);
                }
            }

            throw;
        }

        // The replaced refresh token still works at ServiceNow until it expires. It was bound to this instance (a legacy,
        // unbound one is sent nowhere), and revoking it is best effort, after the update is saved and beyond its undo.
        if (bound == true && oldRefreshToken is not null && oldRefreshToken != verified.RefreshToken)
        {
            await _retirement.RevokeAsync(id, updated.InstanceUrl, oldRefreshToken, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private Task RemoveSecretsAsync(string integrationId, IReadOnlyList<IntegrationSecret> secrets, string why) =>
        IntegrationSecretRemoval.RemoveAsync(_secrets, _logger, integrationId, secrets, why);

    /// <summary>The integration as it is after a failed update; when it cannot be read, it is taken to be still there.</summary>
    private async Task<(bool Exists, Integration? Value)> ReloadAfterFailureAsync(string id)
    {
        try
        {
            var now = await _store.GetAsync(id, CancellationToken.None).ConfigureAwait(false);
            return (now is not null, now?.Value);
        }
        catch (Exception e)
        {
            LogNotReloaded(_logger, e, id);
            return (true, null);
        }
    }

    private async Task RestoreSecretAsync(string integrationId, IntegrationSecret secret, string previous)
    {
        try
        {
            await _secrets.SetAsync(integrationId, secret, previous, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogSecretNotRestored(_logger, e, secret, integrationId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Integration {IntegrationId} credentials replaced by {Caller}")]
    private static partial void LogCredentialsReplaced(ILogger logger, string integrationId, string caller);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not read integration {IntegrationId} again after a failed update")]
    private static partial void LogNotReloaded(ILogger logger, Exception exception, string integrationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not restore secret {Secret} of integration {IntegrationId} after a failed update")]
    private static partial void LogSecretNotRestored(ILogger logger, Exception exception, IntegrationSecret secret, string integrationId);
}
