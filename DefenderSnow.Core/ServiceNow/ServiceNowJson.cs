using System.Globalization;
using System.Text.Json;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// Reads ServiceNow's JSON, where every value is a string and a reference is either a sys_id string or an
/// object with <c>value</c> (and <c>link</c>), depending on <c>sysparm_exclude_reference_link</c>.
/// </summary>
internal static class ServiceNowJson
{
    public static string? String(JsonElement element, string property)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(property, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Object => String(value, "value"),
            _ => null,
        };
    }

    /// <summary>A reference's sys_id, or <c>null</c> when the reference is empty.</summary>
    public static string? Reference(JsonElement element, string property) => NullIfEmpty(String(element, property));

    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    public static int Int(JsonElement element, string property) =>
        int.TryParse(String(element, property), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    /// <summary>The records of <c>{"result":[…]}</c> (or the one record of <c>{"result":{…}}</c>).</summary>
    public static async Task<List<JsonElement>> ReadResultAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var disposeStream = stream.ConfigureAwait(false);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new ServiceNowUnreachableException("ServiceNow answered with malformed JSON.", e);
        }

        using var _ = document;
        if (!document.RootElement.TryGetProperty("result", out var result))
        {
            throw new ServiceNowUnreachableException("ServiceNow answered without a 'result'.");
        }

        return result.ValueKind switch
        {
            JsonValueKind.Array => result.EnumerateArray().Select(e => e.Clone()).ToList(),
            JsonValueKind.Object => [result.Clone()],
            _ => [],
        };
    }
}
