using System.Text.Json.Nodes;

namespace DefenderSnow.Simulators.KeyVault;

/// <summary>The response bodies of the Key Vault secrets API, shaped as the REST reference documents them.</summary>
internal static class KeyVaultJson
{
    public static JsonObject Error(string code, string message, string? innerCode = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (innerCode is not null)
        {
            error["innererror"] = new JsonObject { ["code"] = innerCode };
        }

        return new JsonObject { ["error"] = error };
    }

    /// <summary>A SecretBundle; <paramref name="includeValue"/> is false where Key Vault leaves the value out.</summary>
    public static JsonObject Bundle(string vault, StoredSecret secret, SecretVersion version, int recoverableDays, bool includeValue)
    {
        var bundle = new JsonObject();
        if (includeValue)
        {
            bundle["value"] = version.Value;
        }

        AddProperties(bundle, $"{vault}/secrets/{secret.Name}/{version.Version}", version, recoverableDays);
        return bundle;
    }

    /// <summary>A SecretItem of a list: properties only, never the value.</summary>
    public static JsonObject Item(string id, SecretVersion version, int recoverableDays)
    {
        var item = new JsonObject();
        AddProperties(item, id, version, recoverableDays);
        return item;
    }

    public static JsonObject Deleted(string vault, DeletedSecret deleted, int recoverableDays, bool asListItem)
    {
        var secret = deleted.Secret;
        var body = new JsonObject
        {
            ["recoveryId"] = $"{vault}/deletedsecrets/{secret.Name}",
            ["deletedDate"] = deleted.DeletedDate,
            ["scheduledPurgeDate"] = deleted.ScheduledPurgeDate,
        };
        var id = asListItem ? $"{vault}/secrets/{secret.Name}" : $"{vault}/secrets/{secret.Name}/{secret.Latest.Version}";
        AddProperties(body, id, secret.Latest, recoverableDays);
        return body;
    }

    public static JsonObject Page(IEnumerable<JsonObject> items, string? nextLink) => new()
    {
        ["value"] = new JsonArray([.. items]),
        ["nextLink"] = nextLink,
    };

    private static void AddProperties(JsonObject target, string id, SecretVersion version, int recoverableDays)
    {
        if (version.ContentType is not null)
        {
            target["contentType"] = version.ContentType;
        }

        target["id"] = id;
        var attributes = new JsonObject { ["enabled"] = version.Enabled };
        if (version.NotBefore is { } nbf)
        {
            attributes["nbf"] = nbf;
        }

        if (version.Expires is { } exp)
        {
            attributes["exp"] = exp;
        }

        attributes["created"] = version.Created;
        attributes["updated"] = version.Updated;
        attributes["recoveryLevel"] = "Recoverable+Purgeable";
        attributes["recoverableDays"] = recoverableDays;
        target["attributes"] = attributes;
        if (version.Tags is not null)
        {
            var tags = new JsonObject();
            foreach (var (key, value) in version.Tags)
            {
                tags[key] = value;
            }

            target["tags"] = tags;
        }
    }
}
