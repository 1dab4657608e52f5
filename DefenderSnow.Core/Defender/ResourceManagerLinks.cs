using Refit;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// The one request DefenderSnow sends to a URL it did not build: a <c>nextLink</c>, called as given. Resource Manager's
/// resource provider contract has a collection answer <c>{"value": [...], "nextLink": "..."}</c>, the link being the URL
/// of the next page (https://github.com/Azure/azure-resource-manager-rpc/blob/master/v1.0/resource-api-reference.md#get-resource),
/// and AutoRest's <c>x-ms-pageable</c> (https://github.com/Azure/autorest/blob/main/docs/extensions/readme.md#x-ms-pageable),
/// which every Azure SDK pages by, GETs that link as it is. So its query is never taken apart: whatever it carries (<c>$skiptoken</c>, <c>$skipToken</c>, extra parameters, its own
/// <c>api-version</c>) goes back unchanged. It runs on the same <see cref="HttpClient"/> as the Refit calls, so it
/// is paced, authenticated, retried and counted like them.
/// </summary>
internal sealed class ResourceManagerLinks
{
    private readonly HttpClient _http;
    private readonly RefitSettings _settings;
    private readonly Uri _endpoint;

    public ResourceManagerLinks(HttpClient http, RefitSettings settings, Uri endpoint)
    {
        _http = http;
        _settings = settings;
        _endpoint = endpoint;
    }

    /// <summary>
    /// The link as a URL to call, when it is absolute and on the configured endpoint's scheme, host and port (the
    /// bearer token goes only there); otherwise <c>null</c>, with the origin it pointed at.
    /// </summary>
    public Uri? OnEndpoint(string nextLink, out string? refusedOrigin)
    {
        refusedOrigin = null;
        if (!Uri.TryCreate(nextLink, UriKind.Absolute, out var link))
        {
            return null;
        }

        if (!link.Scheme.Equals(_endpoint.Scheme, StringComparison.OrdinalIgnoreCase)
            || !link.IdnHost.Equals(_endpoint.IdnHost, StringComparison.OrdinalIgnoreCase)
            || link.Port != _endpoint.Port
            || link.UserInfo.Length > 0)
        {
            refusedOrigin = link.GetLeftPart(UriPartial.Authority);
            return null;
        }

        return link;
    }

    /// <summary>GET <paramref name="link"/>, answered the way Refit answers its own calls, for <see cref="ResourceManagerResponses"/> to read.</summary>
    public async Task<IApiResponse<T>> GetAsync<T>(Uri link, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, link);
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = await ApiException.Create(request, HttpMethod.Get, response, _settings).ConfigureAwait(false);
            return new ApiResponse<T>(request, response, default, _settings, error);
        }

        try
        {
            var content = await _settings.ContentSerializer.FromHttpContentAsync<T>(response.Content, cancellationToken).ConfigureAwait(false);
            return new ApiResponse<T>(request, response, content, _settings, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // As Refit does for its own calls: a body that cannot be read is the answer's error, not a thrown exception.
            var error = await ApiException.Create("The response could not be deserialized.", request, HttpMethod.Get, response, _settings, e).ConfigureAwait(false);
            return new ApiResponse<T>(request, response, default, _settings, error);
        }
    }
}
