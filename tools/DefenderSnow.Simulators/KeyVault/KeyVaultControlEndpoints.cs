using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.KeyVault;

/// <summary>
/// <c>/_sim/keyvault/...</c>: lets a local run or a script inspect and steer the simulator over HTTP.
/// Values are never exposed here; names, counts and faults are.
/// </summary>
internal sealed class KeyVaultControlEndpoints
{
    public const string Prefix = "/_sim/keyvault";
    private readonly KeyVaultState _state;

    public KeyVaultControlEndpoints(KeyVaultState state)
    {
        _state = state;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value![Prefix.Length..].TrimEnd('/');
        var method = context.Request.Method;
        switch (path)
        {
            case "/secrets" when HttpMethods.IsGet(method):
                await WriteAsync(context, new JsonObject
                {
                    ["live"] = new JsonArray([.. _state.List().Select(s => JsonValue.Create(s.Name))]),
                    ["deleted"] = new JsonArray([.. _state.ListDeleted().Select(d => JsonValue.Create(d.Secret.Name))]),
                });
                return;
            case "/requests" when HttpMethods.IsGet(method):
                var requests = _state.Requests();
                await WriteAsync(context, new JsonObject
                {
                    ["count"] = requests.Count,
                    ["requests"] = new JsonArray([.. requests.Select(r => new JsonObject
                    {
                        ["method"] = r.Method,
                        ["path"] = r.Path,
                        ["hadAuthorization"] = r.HadAuthorization,
                        ["status"] = r.StatusCode,
                    })]),
                });
                return;
            case "/requests" when HttpMethods.IsDelete(method):
                _state.ClearRequests();
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            case "/faults" when HttpMethods.IsPost(method):
                await InjectFaultAsync(context);
                return;
            case "/faults" when HttpMethods.IsDelete(method):
                _state.ClearFault();
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            case "/reset" when HttpMethods.IsPost(method):
                _state.Reset();
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
        }
    }

    /// <summary>Body: <c>{"fault":"Throttled","times":2}</c>; <c>times</c> defaults to 1, and is unlimited when 0.</summary>
    private async Task InjectFaultAsync(HttpContext context)
    {
        try
        {
            var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var fault = Enum.Parse<KeyVaultFault>(body?["fault"]?.GetValue<string>() ?? string.Empty, ignoreCase: true);
            var times = body?["times"]?.GetValue<int>() ?? 1;
            if (times < 0)
            {
                throw new FormatException("times must not be negative");
            }

            _state.InjectFault(fault, times == 0 ? int.MaxValue : times);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException or InvalidOperationException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("Expected {\"fault\":\"Throttled|ServiceUnavailable|Forbidden|Down\",\"times\":n}.", context.RequestAborted);
        }
    }

    private static async Task WriteAsync(HttpContext context, JsonObject body)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
