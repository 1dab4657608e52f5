using System.Net.Http.Headers;

namespace DefenderSnow.Core.Defender;

/// <summary>Adds the bearer token to every Resource Manager request (each retry included, so a refreshed token is used).</summary>
internal sealed class ResourceManagerAuthenticationHandler : DelegatingHandler
{
    private readonly ResourceManagerTokenCache _tokens;

    public ResourceManagerAuthenticationHandler(ResourceManagerTokenCache tokens)
    {
        _tokens = tokens;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false));
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
