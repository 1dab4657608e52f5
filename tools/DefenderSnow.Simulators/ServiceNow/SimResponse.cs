using System.Text.Json.Nodes;

namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>An answer of the simulated instance, written only after faults have had their say.</summary>
internal sealed record SimResponse(int Status, JsonNode? Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static SimResponse Error(int status, string message, string? detail) =>
        new(status, new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["detail"] = detail }, ["status"] = "failure" });

    /// <summary>ServiceNow's answer to a missing, unknown or expired bearer token.</summary>
    public static SimResponse NotAuthenticated() => Error(401, "User Not Authenticated", "Required to provide Auth information");

    /// <summary>ServiceNow's one answer to every refused token request: it never says which input was wrong.</summary>
    public static SimResponse AccessDenied() =>
        new(401, new JsonObject { ["error_description"] = "access_denied", ["error"] = "server_error" });

    public static SimResponse Result(int status, JsonNode result, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, new JsonObject { ["result"] = result }, headers);
}
