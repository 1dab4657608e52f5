using System.Text.Json;
using System.Text.Json.Serialization;

namespace DefenderSnow.Functions.Http;

/// <summary>The JSON dialect of the HTTP contract: camelCase names, enum values by their contract names, nulls written.</summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Create(disallowUnknownMembers: false);

    /// <summary>For request bodies: an unknown member (a typo such as "pasword") or a repeated one is an error, not silently ignored.</summary>
    public static JsonSerializerOptions RequestOptions { get; } = Create(disallowUnknownMembers: true);

    private static JsonSerializerOptions Create(bool disallowUnknownMembers)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = disallowUnknownMembers ? JsonUnmappedMemberHandling.Disallow : JsonUnmappedMemberHandling.Skip,
            // {"password":"a","password":"b"} is ambiguous; which one was meant must not be guessed.
            AllowDuplicateProperties = !disallowUnknownMembers,
            // Numbers are numbers: "2" for a number is a client bug worth reporting.
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.Converters.Add(new ContractNameJsonConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
