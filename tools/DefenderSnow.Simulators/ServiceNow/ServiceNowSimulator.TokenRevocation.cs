using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// <c>/oauth_revoke_token.do</c>, from "Revoke an OAuth token"
/// (https://www.servicenow.com/docs/r/zurich/platform-security/authentication/t_RevokeOAuthToken.html): the access or
/// refresh token is appended to the URL as <c>?token=</c>; "This endpoint access does not require authentication. The
/// token in this request is marked as expired." (The page's "Role required: oauth_admin" is the role of the person doing
/// the task in the instance, not a credential the request carries.) The page documents no answer body, so the simulator
/// answers 200 with none, for a known and an unknown token alike: the answer tells nobody which tokens exist.
/// </summary>
public sealed partial class ServiceNowSimulator
{
    /// <summary>Whether <paramref name="refreshToken"/> would still be accepted by a refresh grant (issued, not expired, not revoked).</summary>
    public bool IsRefreshTokenLive(string refreshToken) => _oauth.IsRefreshTokenLive(refreshToken);

    private void MapTokenRevocation(WebApplication app) =>
        app.MapGet("/oauth_revoke_token.do", context => RunAsync(context, "GET /oauth_revoke_token.do", RevokeAsync));

    private Task<SimResponse> RevokeAsync(HttpContext context)
    {
        if (context.Request.Query.TryGetValue("token", out var token) && token.Count == 1 && !string.IsNullOrEmpty(token[0]))
        {
            _oauth.Revoke(token[0]!);
        }

        return Task.FromResult(new SimResponse(200, null));
    }
}
