using System.Security.Cryptography;
using DefenderSnow.Core.Access;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.TicketEvents;

/// <summary>
/// The per-integration webhook secret that ServiceNow signs ticket events with: generated here (256 random bits), kept in
/// Key Vault, its value returned once. Generating again rotates it; the one before stays accepted for
/// <see cref="TicketEventOptions.SecretGracePeriod"/> from the rotation (a rotation within that period drops the oldest).
/// </summary>
public sealed partial class WebhookSecrets
{
    private const int SecretBytes = 32;
    private readonly IIntegrationStore _integrations;
    private readonly ISecretStore _secrets;
    private readonly WebhookSecretCache _cache;
    private readonly IOptions<TicketEventOptions> _options;
    private readonly TicketEventRouteFinder _routes;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<WebhookSecrets> _logger;

    public WebhookSecrets(
        IIntegrationStore integrations,
        ISecretStore secrets,
        WebhookSecretCache cache,
        IOptions<TicketEventOptions> options,
        TicketEventRouteFinder routes,
        TimeProvider timeProvider,
        ILogger<WebhookSecrets> logger)
    {
        _routes = routes;
        _integrations = integrations;
        _secrets = secrets;
        _cache = cache;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Generates the integration's webhook secret, or rotates it.</summary>
    /// <exception cref="NotFoundException">No such integration, or it is being deleted.</exception>
    public async Task<WebhookSecretIssued> IssueAsync(string integrationId, CallerAccess access, CancellationToken cancellationToken)
    {
        var integration = await GetLiveAsync(integrationId, access, cancellationToken).ConfigureAwait(false);

        // The old secret first becomes the previous one, then the new one is written, then the row says when: a crash
        // in between leaves the old secret accepted (as previous or current) and the caller, who saw an error, calls again.
        var current = integration.Value.WebhookSecretRotatedAt is null
            ? null
            : await _secrets.GetAsync(integrationId, IntegrationSecret.WebhookSecret, cancellationToken).ConfigureAwait(false);
        if (current is not null)
        {
            await _secrets.SetAsync(integrationId, IntegrationSecret.PreviousWebhookSecret, current, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _secrets.DeleteAsync(integrationId, IntegrationSecret.PreviousWebhookSecret, cancellationToken).ConfigureAwait(false);
        }

        var secret = Generate();
        await _secrets.SetAsync(integrationId, IntegrationSecret.WebhookSecret, secret, cancellationToken).ConfigureAwait(false);
        var now = _timeProvider.GetUtcNow();
        await SetRotatedAtAsync(integration, now, access, cancellationToken).ConfigureAwait(false);
        _cache.Forget(integrationId);
        LogIssued(integrationId, current is not null);
        var routing = await _routes.FindAsync(integration.Value, access, cancellationToken).ConfigureAwait(false);
        if (routing.SharedWith.Count > 0)
        {
            LogRouteShared(integrationId, routing.SharedWith.Count);
        }

        return new WebhookSecretIssued(secret, now, current is null ? null : now + _options.Value.SecretGracePeriod, routing);
    }

    /// <summary>
    /// Turns ticket events off: no secret is accepted from then on, both are deleted from Key Vault and the cached
    /// copies are forgotten. Idempotent; calling it for an integration without a webhook changes nothing.
    /// </summary>
    /// <exception cref="NotFoundException">No such integration, or it is being deleted.</exception>
    public async Task DisableAsync(string integrationId, CallerAccess access, CancellationToken cancellationToken)
    {
        var integration = await GetLiveAsync(integrationId, access, cancellationToken).ConfigureAwait(false);

        // The row first: once it says no secret, none is accepted even before Key Vault answers; a crash after it
        // leaves secrets nobody accepts, and the caller, who saw an error, calls again and the deletes run again.
        if (integration.Value.WebhookSecretRotatedAt is not null)
        {
            await SetRotatedAtAsync(integration, null, access, cancellationToken).ConfigureAwait(false);
        }

        _cache.Forget(integrationId);
        await _secrets.DeleteAsync(integrationId, IntegrationSecret.WebhookSecret, cancellationToken).ConfigureAwait(false);
        await _secrets.DeleteAsync(integrationId, IntegrationSecret.PreviousWebhookSecret, cancellationToken).ConfigureAwait(false);
        LogDisabled(integrationId);
    }

    /// <summary>The secrets an event of <paramref name="integration"/> may be signed with now: the current one, and the previous one within its grace period.</summary>
    internal async Task<IReadOnlyList<string>> AcceptedAsync(Integration integration, CancellationToken cancellationToken)
    {
        if (integration.WebhookSecretRotatedAt is not { } rotatedAt)
        {
            return [];
        }

        if (!_cache.TryGet(integration.Id, rotatedAt, out var entry))
        {
            entry = new WebhookSecretCache.Entry(
                rotatedAt,
                await _secrets.GetAsync(integration.Id, IntegrationSecret.WebhookSecret, cancellationToken).ConfigureAwait(false),
                await _secrets.GetAsync(integration.Id, IntegrationSecret.PreviousWebhookSecret, cancellationToken).ConfigureAwait(false));
            _cache.Set(integration.Id, entry);
        }

        var accepted = new List<string>(2);
        if (entry.Current is not null)
        {
            accepted.Add(entry.Current);
        }

        if (entry.Previous is not null && _timeProvider.GetUtcNow() < rotatedAt + _options.Value.SecretGracePeriod)
        {
            accepted.Add(entry.Previous);
        }

        return accepted;
    }

    /// <summary>Forgets the cached secrets of a deleted integration.</summary>
    internal void Forget(string integrationId) => _cache.Forget(integrationId);

    /// <summary>Base64url without padding: 43 characters that survive copying into a ServiceNow system property.</summary>
    private static string Generate() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The one load: an integration the caller is not on the list of is not found, like one being deleted.</summary>
    private async Task<Storage.Versioned<Integration>> GetLiveAsync(string integrationId, CallerAccess access, CancellationToken cancellationToken)
    {
        var integration = TicketEventReceiver.IsIntegrationId(integrationId)
            ? await _integrations.GetAsync(integrationId, cancellationToken).ConfigureAwait(false)
            : null;
        if (integration is null || integration.Value.DeletionStartedAt is not null)
        {
            throw new NotFoundException("Integration", integrationId);
        }

        IntegrationAccess.Require(integration.Value, access, () => new NotFoundException("Integration", integrationId));
        return integration;
    }

    private async Task SetRotatedAtAsync(Storage.Versioned<Integration> integration, DateTimeOffset? rotatedAt, CallerAccess access, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _integrations.UpdateAsync(
                    integration with { Value = integration.Value with { WebhookSecretRotatedAt = rotatedAt } },
                    integration.Value.Name,
                    cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ConcurrencyException) when (attempt < 5)
            {
                integration = await GetLiveAsync(integration.Value.Id, access, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook of integration {IntegrationId} disabled")]
    private partial void LogDisabled(string integrationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Integration {IntegrationId} signs in to its instance as the same ServiceNow user as {SharedCount} other integration(s) with ticket events on: their events cannot be routed apart")]
    private partial void LogRouteShared(string integrationId, int sharedCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook secret of integration {IntegrationId} issued (rotated: {Rotated})")]
    private partial void LogIssued(string integrationId, bool rotated);
}
