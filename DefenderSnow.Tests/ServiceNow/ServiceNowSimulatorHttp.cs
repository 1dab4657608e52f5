using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace DefenderSnow.Tests.ServiceNow;

/// <summary>Raw requests to the ServiceNow simulator, as a client of the real instance would send them.</summary>
internal static class ServiceNowSimulatorHttp
{
    public static FormUrlEncodedContent Form(params (string Key, string Value)[] values) =>
        new(values.Select(v => KeyValuePair.Create(v.Key, v.Value)));

    public static Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, string token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> SendJson(HttpClient http, HttpMethod method, string path, string token, JsonObject body)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request);
    }
}
