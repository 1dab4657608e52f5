using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.Hosting;

/// <summary>How <c>/_sim</c> control endpoints answer a request they cannot carry out: 400 with <c>{"error": "…"}</c>.</summary>
public static class SimulatorControlAnswers
{
    public static async Task BadRequestAsync(HttpContext context, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(new JsonObject { ["error"] = message }.ToJsonString(), context.RequestAborted);
    }
}
