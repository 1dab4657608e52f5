using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>What a function answered, after its result was executed against a real response.</summary>
public sealed record FunctionResponse(int Status, IHeaderDictionary Headers, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("The body is JSON null.");

    public string? ContentType => Headers.ContentType.ToString();

    public override string ToString() => $"{Status} {Body}";
}

/// <summary>
/// Calls an HTTP function as the Functions host would: a real <see cref="HttpRequest"/> in, the
/// returned <see cref="IActionResult"/> executed into a real response.
/// </summary>
public static class FunctionCall
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    public static DefaultHttpContext Request(string method, string pathAndQuery, string? body = null, IDictionary<string, string>? headers = null)
    {
        var context = new DefaultHttpContext();
        var split = pathAndQuery.Split('?', 2);
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("defendersnow.azurewebsites.net");
        context.Request.Path = split[0];
        context.Request.QueryString = split.Length > 1 ? new QueryString("?" + split[1]) : QueryString.Empty;
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType = "application/json";
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            context.Request.Headers[name] = value;
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    public static string Json(object value) => JsonSerializer.Serialize(value, WebJson);

    public static async Task<FunctionResponse> InvokeAsync(HttpContext context, Func<HttpRequest, Task<IActionResult>> function)
    {
        var result = await function(context.Request);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        var text = await new StreamReader(context.Response.Body).ReadToEndAsync();
        return new FunctionResponse(context.Response.StatusCode, context.Response.Headers, text);
    }
}
