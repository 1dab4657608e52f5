using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.Hosting;

/// <summary>
/// What an Entra-protected Azure service checks of a bearer token, minus the signature: that it is
/// a JWT, meant for this service (<c>aud</c>) and not expired. The app's simulator credential issues
/// such tokens; anything else is refused as the real service would refuse it.
/// </summary>
public static class EntraTokenCheck
{
    public enum Outcome
    {
        Valid,
        Missing,
        Malformed,
        WrongAudience,
        Expired,
    }

    public static Outcome Check(HttpRequest request, string expectedAudience, DateTimeOffset now)
    {
        var header = request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return Outcome.Missing;
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Outcome.Malformed;
        }

        var parts = header["Bearer ".Length..].Trim().Split('.');
        if (parts.Length != 3)
        {
            return Outcome.Malformed;
        }

        JsonElement payload;
        try
        {
            payload = JsonDocument.Parse(DecodeBase64Url(parts[1])).RootElement;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return Outcome.Malformed;
        }

        if (payload.ValueKind != JsonValueKind.Object
            || !payload.TryGetProperty("aud", out var aud) || aud.ValueKind != JsonValueKind.String
            || !payload.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number)
        {
            return Outcome.Malformed;
        }

        if (!string.Equals(aud.GetString()?.TrimEnd('/'), expectedAudience.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
        {
            return Outcome.WrongAudience;
        }

        return DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()) <= now ? Outcome.Expired : Outcome.Valid;
    }

    /// <summary>The <c>oid</c> claim of the bearer token (the caller's object id), when there is a readable one.</summary>
    public static string? ObjectId(HttpRequest request)
    {
        var parts = request.Headers.Authorization.ToString().Split(' ', 2);
        var token = parts.Length == 2 ? parts[1].Split('.') : [];
        if (token.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = JsonDocument.Parse(DecodeBase64Url(token[1])).RootElement;
            return payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("oid", out var oid) && oid.ValueKind == JsonValueKind.String
                ? oid.GetString()
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private static byte[] DecodeBase64Url(string value)
    {
        var s = value.Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
        return Convert.FromBase64String(s);
    }
}
