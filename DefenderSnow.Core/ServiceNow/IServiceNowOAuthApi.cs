using Refit;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>ServiceNow's OAuth token endpoint. Parameters travel only in a form body: ServiceNow ignores the query string and refuses JSON.</summary>
internal interface IServiceNowOAuthApi
{
    [Post("/oauth_token.do")]
    Task<HttpResponseMessage> RequestTokenAsync([Body(BodySerializationMethod.UrlEncoded)] Dictionary<string, string> form, CancellationToken cancellationToken);
}
