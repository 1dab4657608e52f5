using System.Collections.Concurrent;
using DefenderSnow.Core.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.ServiceNow;

/// <inheritdoc cref="IServiceNowTokenProvider"/>
internal sealed partial class ServiceNowTokenProvider : IServiceNowTokenProvider
{
    private readonly ConcurrentDictionary<string, TokenSlot> _slots = new(StringComparer.Ordinal);
    private readonly ServiceNowOAuthClient _oauth;
    private readonly IServiceNowInstancePolicy _policy;
    private readonly ISecretStore _secrets;
    private readonly InstanceBinding _binding;
    private readonly TimeProvider _timeProvider;
    private readonly IOptions<ServiceNowOptions> _options;
    private readonly ILogger<ServiceNowTokenProvider> _logger;

    public ServiceNowTokenProvider(
        ServiceNowOAuthClient oauth,
        IServiceNowInstancePolicy policy,
        ISecretStore secrets,
        InstanceBinding binding,
        TimeProvider timeProvider,
        IOptions<ServiceNowOptions> options,
        ILogger<ServiceNowTokenProvider> logger)
    {
        _oauth = oauth;
        _policy = policy;
        _secrets = secrets;
        _binding = binding;
        _timeProvider = timeProvider;
        _options = options;
        _logger = logger;
    }

    public async Task<string> GetAccessTokenAsync(ServiceNowConnection connection, CancellationToken cancellationToken)
    {
        var slot = SlotFor(connection);
        if (slot.Current(_timeProvider.GetUtcNow()) is { } token)
        {
            return token;
        }

        await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Whoever held the gate before us may have renewed already: that is how concurrent callers share one renewal.
            return slot.Current(_timeProvider.GetUtcNow()) ?? await RenewAsync(slot, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    public async Task<string> RenewAccessTokenAsync(ServiceNowConnection connection, string rejectedAccessToken, CancellationToken cancellationToken)
    {
        var slot = SlotFor(connection);
        await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (slot.Current(_timeProvider.GetUtcNow()) is { } token && token != rejectedAccessToken)
            {
                return token;
            }

            return await RenewAsync(slot, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    public void Forget(string integrationId) => _slots.TryRemove(integrationId, out _);

    private TokenSlot SlotFor(ServiceNowConnection connection)
    {
        while (true)
        {
            var slot = _slots.GetOrAdd(connection.IntegrationId, _ => new TokenSlot(connection));
            if (slot.Connection == connection)
            {
                return slot;
            }

            // Same integration, different instance, user or client: the cached token belongs to the old credentials.
            if (_slots.TryUpdate(connection.IntegrationId, new TokenSlot(connection), slot))
            {
                LogConnectionChanged(_logger, connection.IntegrationId);
            }
        }
    }

    private async Task<string> RenewAsync(TokenSlot slot, CancellationToken cancellationToken)
    {
        var connection = slot.Connection;
        var id = connection.IntegrationId;
        var instanceUrl = _policy.Validate(connection.InstanceUrl.OriginalString);
        // Before any secret is read: the connection's URL comes from the integration's Table Storage row, which the
        // credentials do not trust (issue 26 M3); only the instance they were proven against may receive them.
        await _binding.RequireAsync(id, instanceUrl, cancellationToken).ConfigureAwait(false);
        var clientSecret = await _secrets.GetAsync(id, IntegrationSecret.ClientSecret, cancellationToken).ConfigureAwait(false)
            ?? throw MissingSecret(id, "client secret");
        var refreshToken = await _secrets.GetAsync(id, IntegrationSecret.RefreshToken, cancellationToken).ConfigureAwait(false);

        ServiceNowTokenGrant? grant = null;
        if (refreshToken is not null)
        {
            grant = await _oauth.RefreshGrantAsync(instanceUrl, connection.ClientId, clientSecret, refreshToken, cancellationToken).ConfigureAwait(false);
            if (grant is null)
            {
                LogRefreshRefused(_logger, id);
            }
        }

        if (grant is null)
        {
            // The refresh token expired or was revoked: the stored password obtains a new pair, so the integration
            // keeps working whatever refresh-token lifespan the instance uses.
            var password = await _secrets.GetAsync(id, IntegrationSecret.Password, cancellationToken).ConfigureAwait(false)
                ?? throw MissingSecret(id, "password");
            grant = await _oauth.PasswordGrantAsync(instanceUrl, connection.ClientId, clientSecret, connection.Username, password, cancellationToken).ConfigureAwait(false);
        }

        if (grant.RefreshToken is { } issued && issued != refreshToken)
        {
            await _secrets.SetAsync(id, IntegrationSecret.RefreshToken, issued, cancellationToken).ConfigureAwait(false);
            LogRefreshTokenStored(_logger, id);
        }

        var options = _options.Value;
        var margin = options.TokenRenewalMargin < grant.ExpiresIn / 2 ? options.TokenRenewalMargin : grant.ExpiresIn / 2;
        slot.Set(grant.AccessToken, _timeProvider.GetUtcNow() + grant.ExpiresIn - margin);
        LogRenewed(_logger, id, (int)grant.ExpiresIn.TotalSeconds);
        return grant.AccessToken;
    }

    private static ServiceNowRejectedException MissingSecret(string integrationId, string what) =>
        new($"The stored credentials of integration '{integrationId}' have no {what}; update the integration's credentials.");

    [LoggerMessage(Level = LogLevel.Information, Message = "ServiceNow access token renewed for integration {IntegrationId}, valid for {ExpiresInSeconds} s")]
    private static partial void LogRenewed(ILogger logger, string integrationId, int expiresInSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "ServiceNow refused the refresh token of integration {IntegrationId}; using the stored password")]
    private static partial void LogRefreshRefused(ILogger logger, string integrationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored a new ServiceNow refresh token for integration {IntegrationId}")]
    private static partial void LogRefreshTokenStored(ILogger logger, string integrationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "ServiceNow connection of integration {IntegrationId} changed; cached tokens dropped")]
    private static partial void LogConnectionChanged(ILogger logger, string integrationId);

    private sealed class TokenSlot
    {
        private readonly Lock _lock = new();
        private string? _accessToken;
        private DateTimeOffset _renewAt;

        public TokenSlot(ServiceNowConnection connection)
        {
            Connection = connection;
        }

        public ServiceNowConnection Connection { get; }

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public string? Current(DateTimeOffset now)
        {
            lock (_lock)
            {
                return _accessToken is not null && now < _renewAt ? _accessToken : null;
            }
        }

        public void Set(string accessToken, DateTimeOffset renewAt)
        {
            lock (_lock)
            {
                _accessToken = accessToken;
                _renewAt = renewAt;
            }
        }
    }
}
