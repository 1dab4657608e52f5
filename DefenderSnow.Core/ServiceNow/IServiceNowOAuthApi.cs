using Refit;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>ServiceNow's OAuth endpoints.</summary>
internal interface IServiceNowOAuthApi
{
    /// <summary>The token endpoint. Parameters travel only in a form body: ServiceNow ignores the query string and refuses JSON.</summary>
    [Post("/oauth_token.do")]
    Task<HttpResponseMessage> RequestTokenAsync([Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form, CancellationToken cancellationToken);

    /// <summary>
    /// Marks an access or refresh token expired. The token goes in the query string because that is the one form ServiceNow
    /// documents ("Revoke an OAuth token", https://www.servicenow.com/docs/r/zurich/platform-security/authentication/t_RevokeOAuthToken.html:
    /// "append the access or refresh token", <c>/oauth_revoke_token.do?token=</c>, no authentication). .NET's HttpClient logs
    /// and the OpenTelemetry HTTP instrumentation redact query values, and the token is worthless once the call succeeds.
    /// </summary>
    [Get("/oauth_revoke_token.do")]
    Task<HttpResponseMessage> RevokeTokenAsync([AliasAs("token")] string token, CancellationToken cancellationToken);
}
