using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace DefenderSnow.Tests.Security;

/// <summary>
/// Generators of hostile HTTP input: valid requests mutated, truncated, retyped, nested, oversized, and
/// strings built to break OData filters, ServiceNow encoded queries, paths and parsers.
/// </summary>
internal static class GeneratedInput
{
    /// <summary>Strings that have broken real parsers and query builders.</summary>
    public static readonly string[] NastyStrings =
    [
        "", " ", "\t", "null", "true", "0", "-1", "1e999", "NaN", "Infinity",
        "' or 1 eq 1 or PartitionKey eq '", "PartitionKey ne ''", "x' and RowKey gt '",
        "active=true^ORactive=false", "x^NQsys_id!=0", "a,b,c", "ORDERBYsys_id", "javascript:gs.getUser()",
        "../../etc/passwd", "..%2F..%2F", "/subscriptions/../../providers", "%00", "\0", "\u0001\u001f",
        "\u202Eevil", "\u200B", "\uFEFF", "\uD800", "\uDC00x", "😀", "Ω≈ç√", "İıẞ", "\\", "\"", "<script>alert(1)</script>",
        "{{7*7}}", "${jndi:ldap://127.0.0.1/a}", "%s%n%x", "\r\nX-Injected: 1",
        "/subscriptions/00000000-0000-0000-0000-000000000001",
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
        "0123456789abcdef0123456789abcdef", "00000000-0000-0000-0000-000000000000", "https://127.0.0.1:1", "http://169.254.169.254/",
        "owner@contoso.com", "incident", "problem", "change_request", "default", "customized", "managementGroup", "subscription",
        new string('a', 161), new string('x', 5000), new string('é', 2000),
    ];

    public static Gen<string> NastyString { get; } = Gen.OneOf(
        Gen.Elements(NastyStrings),
        Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(Gen.Elements("aZ09-_./:'\"^,=%&?#\\ \u0000\u00e9\u202e😀".ToCharArray()), n)).Select(c => new string(c)));

    public static Gen<JsonNode?> JsonValue { get; } = Gen.Sized(size => Value(Math.Min(size, 4)));

    /// <summary>A query string from the members the list functions read, and some they do not.</summary>
    public static Gen<string> Query { get; } = Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(
        Gen.Elements("top", "continuationToken", "scope", "integrationId", "assessmentName", "resourceId", "status", "full", "code", "$filter", "top")
            .SelectMany(key => Gen.OneOf(NastyString, Gen.Elements("0", "1", "200", "201", "-5", "2147483648", "99999999999999999999", "1.5", "0x10")).Select(value => $"{Uri.EscapeDataString(key)}={Uri.EscapeDataString(value)}")),
        n)).Select(pairs => string.Join('&', pairs));

    /// <summary>A body derived from <paramref name="seed"/> (a valid request, or null for functions that take none).</summary>
    public static Gen<string?> Body(JsonObject? seed)
    {
        var random = JsonValue.Select(v => (string?)(v?.ToJsonString() ?? "null"));
        if (seed is null || seed.Count == 0)
        {
            return Gen.Frequency((3, Gen.Constant<string?>(null)), (1, Gen.Constant<string?>("{}")), (2, random));
        }

        var keys = Flatten(seed).ToArray();
        return Gen.Frequency(
            (1, Gen.Constant<string?>(seed.ToJsonString())),
            (6, Gen.Elements(keys).SelectMany(path => JsonValue.Select(value => (string?)With(seed, path, value).ToJsonString()))),
            (2, Gen.Elements(keys).Select(path => (string?)Without(seed, path).ToJsonString())),
            (2, NastyString.SelectMany(name => JsonValue.Select(value => (string?)With(seed, name, value).ToJsonString()))),
            (2, Gen.Choose(0, seed.ToJsonString().Length).Select(cut => (string?)seed.ToJsonString()[..cut])),
            (1, Gen.Elements(keys.Where(k => !k.Contains('.')).DefaultIfEmpty("name").ToArray()).Select(key => (string?)Duplicate(seed, key))),
            (1, Gen.Choose(1, 200).Select(depth => (string?)(new string('[', depth) + seed.ToJsonString() + new string(']', depth)))),
            (1, random));
    }

    private static Gen<JsonNode?> Value(int depth)
    {
        var leaves = Gen.OneOf(
            Gen.Constant<JsonNode?>(null),
            Gen.Elements(true, false).Select(b => (JsonNode?)JsonValueOf(b)),
            Gen.Elements(0L, -1L, 1L, 366L, 2147483648L, long.MaxValue, long.MinValue).Select(n => (JsonNode?)JsonValueOf(n)),
            Gen.Elements(0.5, 1e308, -1e-308, 4.2).Select(n => (JsonNode?)JsonValueOf(n)),
            NastyString.Select(s => (JsonNode?)JsonValueOf(s)));
        if (depth <= 0)
        {
            return leaves;
        }

        var inner = Value(depth - 1);
        return Gen.Frequency(
            (6, leaves),
            (1, Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(inner, n)).Select(items => (JsonNode?)new JsonArray(items.Select(i => i?.DeepClone()).ToArray()))),
            (1, Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(NastyString.SelectMany(k => inner.Select(v => (k, v))), n))
                .Select(members =>
                {
                    var o = new JsonObject();
                    foreach (var (k, v) in members)
                    {
                        o[k] = v?.DeepClone();
                    }

                    return (JsonNode?)o;
                })));
    }

    private static System.Text.Json.Nodes.JsonValue JsonValueOf<T>(T value) => System.Text.Json.Nodes.JsonValue.Create(value)!;

    private static IEnumerable<string> Flatten(JsonObject node, string prefix = "")
    {
        foreach (var (key, value) in node)
        {
            yield return prefix + key;
            if (value is JsonObject child)
            {
                foreach (var inner in Flatten(child, prefix + key + "."))
                {
                    yield return inner;
                }
            }
        }
    }

    private static JsonObject With(JsonObject seed, string path, JsonNode? value)
    {
        var copy = (JsonObject)seed.DeepClone();
        var (parent, key) = Locate(copy, path);
        parent[key] = value?.DeepClone();
        return copy;
    }

    private static JsonObject Without(JsonObject seed, string path)
    {
        var copy = (JsonObject)seed.DeepClone();
        var (parent, key) = Locate(copy, path);
        parent.Remove(key);
        return copy;
    }

    private static (JsonObject Parent, string Key) Locate(JsonObject root, string path)
    {
        var parts = path.Split('.');
        var parent = root;
        foreach (var part in parts[..^1])
        {
            parent = parent[part] as JsonObject ?? root;
        }

        return (parent, parts[^1]);
    }

    /// <summary>The same member twice, the second with another value: text a JSON DOM cannot express.</summary>
    private static string Duplicate(JsonObject seed, string key)
    {
        var text = seed.ToJsonString();
        var builder = new StringBuilder(text[..^1]);
        builder.Append(',').Append(System.Text.Json.JsonSerializer.Serialize(key)).Append(":\"other\"}");
        return builder.ToString();
    }
}
