using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace DefenderSnow.Functions.Http;

/// <summary>
/// Writes a JSON body with the contract's serializer. Needs no MVC services, so a test can execute it
/// on a bare <see cref="Microsoft.AspNetCore.Http.DefaultHttpContext"/>.
/// </summary>
public sealed class JsonResponse : IActionResult
{
    public JsonResponse(int statusCode, object? body, string contentType = "application/json; charset=utf-8")
    {
        StatusCode = statusCode;
        Body = body;
        ContentType = contentType;
    }

    public int StatusCode { get; }

    public object? Body { get; }

    public string ContentType { get; }

    public string? Location { get; init; }

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCode;
        if (Location is not null)
        {
            response.Headers.Location = Location;
        }

        if (Body is null)
        {
            return;
        }

        response.ContentType = ContentType;
        await JsonSerializer.SerializeAsync(response.Body, Body, Body.GetType(), ApiJson.Options, context.HttpContext.RequestAborted);
    }
}
