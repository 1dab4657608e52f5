using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.Defender;

/// <summary>Writes responses the way Resource Manager does: JSON, and errors as <c>{"error":{"code","message"}}</c>.</summary>
internal static class ArmErrors
{
    public static Task WriteError(HttpContext context, int status, string code, string message)
    {
        var body = new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };
        return WriteJson(context, status, body);
    }

    public static Task WriteJson(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
