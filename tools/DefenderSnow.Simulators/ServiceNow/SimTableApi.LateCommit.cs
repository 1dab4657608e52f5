using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.ServiceNow;

internal sealed partial class SimTableApi
{
    /// <summary>Whether the request carries a token the instance accepts; anything else is refused before a transaction starts.</summary>
    public bool IsAuthenticated(HttpContext context) => _oauth.Authenticate(context.Request.Headers.Authorization.ToString()) is not null;

    /// <summary>
    /// A copy of a request that can be handled after the original has ended: the same method, path, query, headers and
    /// body, so a late commit meets every rule an immediate one does.
    /// </summary>
    public static async Task<Func<HttpContext>> CaptureAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var bytes = body.ToArray();
        var request = context.Request;
        var method = request.Method;
        var path = request.Path;
        var query = request.QueryString;
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        return () =>
        {
            var replay = new DefaultHttpContext();
            replay.Request.Method = method;
            replay.Request.Path = path;
            replay.Request.QueryString = query;
            foreach (var (name, value) in headers)
            {
                replay.Request.Headers[name] = value;
            }

            replay.Request.Body = new MemoryStream(bytes);
            replay.Request.ContentLength = bytes.Length;
            replay.Response.Body = Stream.Null;
            return replay;
        };
    }
}
