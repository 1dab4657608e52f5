using System.Text.Json;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Hosting;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Functions.Http;

/// <summary>Reads a JSON request body of bounded size into a request record.</summary>
public static class RequestBody
{
    /// <summary>No request of the contract comes near this; a larger one is a mistake or an attack.</summary>
    public const int MaxBytes = 64 * 1024;

    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class =>
        await ReadOptionalAsync<T>(request, cancellationToken) ?? throw new ValidationException("body", "A JSON body is required.");

    /// <returns>The body, or null when the request has none.</returns>
    public static async Task<T?> ReadOptionalAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        var body = await BoundedBody.ReadAsync(request.Body, request.ContentLength, MaxBytes, cancellationToken);
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body, ApiJson.RequestOptions)
                ?? throw new ValidationException("body", "A JSON object is required.");
        }
        catch (JsonException e)
        {
            // The serializer's message can quote input; the path and position say enough without it.
            throw new ValidationException(FieldPath(e.Path), $"Invalid JSON{(e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : string.Empty)}: {Describe(e)}");
        }
    }

    /// <summary>"$.scope.type" becomes "scope.type"; the root becomes "body".</summary>
    internal static string FieldPath(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$")
        {
            return "body";
        }

        var path = jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');

        // A member named "" has an empty path; the answer must still name something.
        return string.IsNullOrWhiteSpace(path) ? "body" : path;
    }

    private static string Describe(JsonException e) => e.Message switch
    {
        var m when m.Contains("could not be mapped", StringComparison.Ordinal) => "unknown member.",
        var m when m.Contains("could not be converted", StringComparison.Ordinal) => "the value has the wrong type.",
        var m when m.Contains("Duplicate propert", StringComparison.Ordinal) => "the member is repeated; give it once.",
        _ => "malformed JSON.",
    };
}
