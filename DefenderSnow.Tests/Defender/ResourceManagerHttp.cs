using System.Net.Http.Headers;
using System.Text;
using Azure.Core;
using DefenderSnow.Core.Hosting;

namespace DefenderSnow.Tests.Defender;

/// <summary>Raw requests to the Resource Manager simulator, with a token the app's simulator credential issues.</summary>
internal static class ResourceManagerHttp
{
    public static string Token(string audience = "https://management.azure.com") =>
        new SimulatorTokenCredential(TimeProvider.System).GetToken(new TokenRequestContext([$"{audience}/.default"]), CancellationToken.None).Token;

    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string pathAndQuery, string? body = null, string? token = null, bool authorize = true)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery);
        if (authorize)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Token());
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request);
    }
}
