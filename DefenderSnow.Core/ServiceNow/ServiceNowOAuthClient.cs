using System.Net;
using DefenderSnow.Core.Errors;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>The password and refresh grants of <c>/oauth_token.do</c>, and <c>/oauth_revoke_token.do</c>.</summary>
internal sealed partial class ServiceNowOAuthClient : IServiceNowTokenRevoker
{
    private readonly ServiceNowHttpClients _clients;
    private readonly ILogger<ServiceNowOAuthClient> _logger;

    public ServiceNowOAuthClient(ServiceNowHttpClients clients, ILogger<ServiceNowOAuthClient> logger)
    {
        _clients = clients;
        _logger = logger;
    }

    /// <exception cref="ServiceNowRejectedException">ServiceNow refused the credentials.</exception>
    public async Task<ServiceNowTokenGrant> PasswordGrantAsync(Uri instanceUrl, string clientId, string clientSecret, string username, string password, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["username"] = username,
            ["password"] = password,
        };
        using var response = await SendAsync(instanceUrl, form, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            LogGrantRefused(_logger, "password", instanceUrl.Host, (int)response.StatusCode);
            throw await RejectionAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return await ReadGrantAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The new grant, or <c>null</c> when ServiceNow refuses the refresh token (expired, revoked, unknown).</summary>
    public async Task<ServiceNowTokenGrant?> RefreshGrantAsync(Uri instanceUrl, string clientId, string clientSecret, string refreshToken, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["refresh_token"] = refreshToken,
        };
        using var response = await SendAsync(instanceUrl, form, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            LogGrantRefused(_logger, "refresh_token", instanceUrl.Host, (int)response.StatusCode);
            // The refusal does not say whether the refresh token or the client secret was wrong; the caller
            // falls back to the password grant, which settles it.
            return IsRefusal(response.StatusCode) ? null : throw await RejectionAsync(response, cancellationToken).ConfigureAwait(false);
        }

        return await ReadGrantAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Best effort: revoking only tidies up after a token was replaced or its integration deleted, and must not undo either.
    /// </remarks>
    public async Task<bool> RevokeAsync(Uri instanceUrl, string token, CancellationToken cancellationToken)
    {
        var api = _clients.OAuth(instanceUrl);
        try
        {
            using var response = await ServiceNowCall.SendAsync(() => api.RevokeTokenAsync(token, cancellationToken), "the token revocation", cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            LogRevocationFailed(_logger, instanceUrl.Host, $"HTTP {(int)response.StatusCode}");
            return false;
        }
        catch (Exception e) when (e is DomainException && !cancellationToken.IsCancellationRequested)
        {
            LogRevocationFailed(_logger, instanceUrl.Host, e.Message);
            return false;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri instanceUrl, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        var api = _clients.OAuth(instanceUrl);
        var response = await ServiceNowCall.SendAsync(() => api.RequestTokenAsync(form, cancellationToken), "the token request", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
        {
            using (response)
            {
                throw await ServiceNowCall.ToExceptionAsync(response, "the token request", null, cancellationToken).ConfigureAwait(false);
            }
        }

        return response;
    }

    private static bool IsRefusal(HttpStatusCode status) => status is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest or HttpStatusCode.Forbidden;

    private static async Task<Exception> RejectionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var reason = await ServiceNowCall.ReadReasonAsync(response, cancellationToken).ConfigureAwait(false);
        return new ServiceNowRejectedException($"ServiceNow refused the credentials: {reason}.", (int)response.StatusCode, reason);
    }

    private static async Task<ServiceNowTokenGrant> ReadGrantAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        (await ServiceNowJson.ReadAsync<ServiceNowTokenAnswer>(response, cancellationToken).ConfigureAwait(false)).ToGrant();

    [LoggerMessage(Level = LogLevel.Warning, Message = "ServiceNow on {InstanceHost} did not revoke a refresh token no longer in use ({Reason}); it stays valid until it expires")]
    private static partial void LogRevocationFailed(ILogger logger, string instanceHost, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ServiceNow refused the {GrantType} grant on {InstanceHost} with HTTP {StatusCode}")]
    private static partial void LogGrantRefused(ILogger logger, string grantType, string instanceHost, int statusCode);
}
