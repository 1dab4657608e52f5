using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace DefenderSnow.Simulators.KeyVault;

/// <summary>
/// Reads the bodies of Set Secret (value, content type, attributes, tags) and Update Secret (the same
/// without the value), refusing what Key Vault refuses: a non-JSON body, a missing value on set, a value
/// over 25 KB, a malformed content type, tags or attributes
/// (https://learn.microsoft.com/rest/api/keyvault/secrets/set-secret/set-secret,
/// https://learn.microsoft.com/rest/api/keyvault/secrets/update-secret/update-secret).
/// </summary>
internal static class SecretBodyReader
{
    /// <summary>What may change on a version: a member left out is <c>null</c>, "left unchanged" on update.</summary>
    public sealed record SecretPropertiesBody(
        string? Error,
        string? ContentType = null,
        IReadOnlyDictionary<string, string>? Tags = null,
        bool? Enabled = null,
        long? NotBefore = null,
        long? Expires = null);

    public sealed record SetBody(
        string? Error,
        string? Value = null,
        string? ContentType = null,
        IReadOnlyDictionary<string, string>? Tags = null,
        bool Enabled = true,
        long? NotBefore = null,
        long? Expires = null);

    public static async Task<SetBody> ReadSetAsync(HttpContext context)
    {
        var (error, body) = await ReadObjectAsync(context);
        if (body is null)
        {
            return new SetBody(error);
        }

        if (body["value"] is not JsonValue valueNode || !valueNode.TryGetValue<string>(out var value))
        {
            return new SetBody("Property 'value' is required and must be a string.");
        }

        if (Encoding.UTF8.GetByteCount(value) > KeyVaultRules.MaxValueBytes)
        {
            return new SetBody($"Secret is beyond the maximum permitted size of {KeyVaultRules.MaxValueBytes} bytes.");
        }

        var properties = ReadProperties(body);
        return properties.Error is not null
            ? new SetBody(properties.Error)
            : new SetBody(null, value, properties.ContentType, properties.Tags, properties.Enabled ?? true, properties.NotBefore, properties.Expires);
    }

    /// <summary>An update's body; a <c>value</c> member is not part of SecretUpdateParameters and changes nothing.</summary>
    public static async Task<SecretPropertiesBody> ReadUpdateAsync(HttpContext context)
    {
        var (error, body) = await ReadObjectAsync(context);
        return body is null ? new SecretPropertiesBody(error) : ReadProperties(body);
    }

    private static async Task<(string? Error, JsonObject? Body)> ReadObjectAsync(HttpContext context)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var mediaType)
            || !string.Equals(mediaType.MediaType.Value, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return ("The request content type must be application/json.", null);
        }

        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return ("The request body is not valid JSON.", null);
        }

        return node is JsonObject body ? (null, body) : ("The request body must be a JSON object.", null);
    }

    private static SecretPropertiesBody ReadProperties(JsonObject body)
    {
        string? contentType = null;
        if (body["contentType"] is { } contentTypeNode)
        {
            if (contentTypeNode is not JsonValue ctValue || !ctValue.TryGetValue(out contentType) || contentType.Length > KeyVaultRules.MaxContentTypeLength)
            {
                return new SecretPropertiesBody($"Property 'contentType' must be a string of at most {KeyVaultRules.MaxContentTypeLength} characters.");
            }
        }

        Dictionary<string, string>? tags = null;
        if (body["tags"] is { } tagsNode)
        {
            if (tagsNode is not JsonObject tagObject || tagObject.Count > KeyVaultRules.MaxTags)
            {
                return new SecretPropertiesBody($"Property 'tags' must be an object of at most {KeyVaultRules.MaxTags} tags.");
            }

            tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, tagNode) in tagObject)
            {
                if (key.Length > KeyVaultRules.MaxTagNameLength || tagNode is not JsonValue tagValue
                    || !tagValue.TryGetValue<string>(out var text) || text.Length > KeyVaultRules.MaxTagValueLength)
                {
                    return new SecretPropertiesBody($"Tag '{key}' is invalid: names are at most {KeyVaultRules.MaxTagNameLength} characters and values strings of at most {KeyVaultRules.MaxTagValueLength}.");
                }

                tags[key] = text;
            }
        }

        bool? enabled = null;
        long? notBefore = null;
        long? expires = null;
        if (body["attributes"] is { } attributesNode)
        {
            if (attributesNode is not JsonObject attributes
                || !TryRead(attributes["enabled"], out enabled)
                || !TryRead(attributes["nbf"], out notBefore)
                || !TryRead(attributes["exp"], out expires))
            {
                return new SecretPropertiesBody("Property 'attributes' is invalid: 'enabled' is a boolean, 'nbf' and 'exp' are Unix times in seconds.");
            }
        }

        return new SecretPropertiesBody(null, contentType, tags, enabled, notBefore, expires);
    }

    private static bool TryRead<T>(JsonNode? node, out T? value)
        where T : struct
    {
        value = null;
        if (node is null)
        {
            return true;
        }

        if (node is JsonValue json && json.TryGetValue<T>(out var read))
        {
            value = read;
            return true;
        }

        return false;
    }
}
