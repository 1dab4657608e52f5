using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DefenderSnow.Simulators.Defender;

/// <summary>
/// Checks a governance assignment body against the 2022-01-01-preview schema as Resource Manager does:
/// <c>remediationDueDate</c> is required, <c>remediationEta</c> needs both its parts, <c>ticketNumber</c>
/// is an int32 of at least 0, and every property has its documented type.
/// </summary>
internal static partial class GovernanceAssignmentValidator
{
    public const string InvalidRequestContent = "InvalidRequestContent";

    /// <summary>The accepted properties (dates normalised to UTC), or the error Resource Manager would answer with.</summary>
    public static (JsonObject? Properties, string? Message) Validate(string body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            return Fail($"The request content was invalid and could not be deserialized: '{e.Message}'.");
        }

        if (root is not JsonObject resource)
        {
            return Fail("The request content was invalid and could not be deserialized: the body must be a JSON object.");
        }

        if (resource["properties"] is not JsonObject properties)
        {
            return Fail("Required property 'properties' not found in JSON, or it is not an object. Path ''.");
        }

        var result = new JsonObject();
        if (!TryString(properties, "owner", "properties", result, out var error)
            || !TryDate(properties, "remediationDueDate", "properties", required: true, result, out error)
            || !TryBool(properties, "isGracePeriod", "properties", result, out error)
            || !TryEta(properties, result, out error)
            || !TryNotifications(properties, result, out error)
            || !TryAdditionalData(properties, result, out error))
        {
            return Fail(error!);
        }

        return (result, null);
    }

    private static (JsonObject?, string?) Fail(string message) => (null, message);

    private static bool TryEta(JsonObject properties, JsonObject result, out string? error)
    {
        error = null;
        var node = properties["remediationEta"];
        if (node is null)
        {
            return true;
        }

        if (node is not JsonObject eta)
        {
            error = "Invalid type for 'properties.remediationEta': expected an object.";
            return false;
        }

        var normalized = new JsonObject();
        if (!TryDate(eta, "eta", "properties.remediationEta", required: true, normalized, out error))
        {
            return false;
        }

        if (eta["justification"] is null)
        {
            error = "Required property 'justification' not found in JSON. Path 'properties.remediationEta'.";
            return false;
        }

        if (!TryString(eta, "justification", "properties.remediationEta", normalized, out error))
        {
            return false;
        }

        result["remediationEta"] = normalized;
        return true;
    }

    private static bool TryNotifications(JsonObject properties, JsonObject result, out string? error)
    {
        error = null;
        var node = properties["governanceEmailNotification"];
        if (node is null)
        {
            return true;
        }

        if (node is not JsonObject notification)
        {
            error = "Invalid type for 'properties.governanceEmailNotification': expected an object.";
            return false;
        }

        var normalized = new JsonObject();
        if (!TryBool(notification, "disableManagerEmailNotification", "properties.governanceEmailNotification", normalized, out error)
            || !TryBool(notification, "disableOwnerEmailNotification", "properties.governanceEmailNotification", normalized, out error))
        {
            return false;
        }

        result["governanceEmailNotification"] = normalized;
        return true;
    }

    private static bool TryAdditionalData(JsonObject properties, JsonObject result, out string? error)
    {
        error = null;
        var node = properties["additionalData"];
        if (node is null)
        {
            return true;
        }

        if (node is not JsonObject data)
        {
            error = "Invalid type for 'properties.additionalData': expected an object.";
            return false;
        }

        var normalized = new JsonObject();
        if (data["ticketNumber"] is { } number)
        {
            if (number.GetValueKind() != JsonValueKind.Number
                || !long.TryParse(number.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                error = $"Invalid value '{number.ToJsonString()}' for 'properties.additionalData.ticketNumber': expected an integer.";
                return false;
            }

            if (value is < 0 or > int.MaxValue)
            {
                error = $"The value {value} of 'properties.additionalData.ticketNumber' is out of range: it must be an int32 of at least 0.";
                return false;
            }

            normalized["ticketNumber"] = (int)value;
        }

        if (!TryString(data, "ticketLink", "properties.additionalData", normalized, out error)
            || !TryString(data, "ticketStatus", "properties.additionalData", normalized, out error))
        {
            return false;
        }

        result["additionalData"] = normalized;
        return true;
    }

    private static bool TryString(JsonObject owner, string name, string path, JsonObject result, out string? error)
    {
        error = null;
        var node = owner[name];
        if (node is null)
        {
            return true;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            error = $"Invalid type for '{path}.{name}': expected a string.";
            return false;
        }

        result[name] = node.GetValue<string>();
        return true;
    }

    private static bool TryBool(JsonObject owner, string name, string path, JsonObject result, out string? error)
    {
        error = null;
        var node = owner[name];
        if (node is null)
        {
            return true;
        }

        if (node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            error = $"Invalid type for '{path}.{name}': expected a boolean.";
            return false;
        }

        result[name] = node.GetValue<bool>();
        return true;
    }

    private static bool TryDate(JsonObject owner, string name, string path, bool required, JsonObject result, out string? error)
    {
        error = null;
        var node = owner[name];
        if (node is null)
        {
            if (required)
            {
                error = $"Required property '{name}' not found in JSON. Path '{path}'.";
                return false;
            }

            return true;
        }

        if (node.GetValueKind() != JsonValueKind.String
            || !DateTimePattern().IsMatch(node.GetValue<string>())
            || !DateTimeOffset.TryParse(node.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            error = $"Invalid value for '{path}.{name}': expected a date-time such as 2025-01-31T00:00:00Z.";
            return false;
        }

        // Resource Manager answers dates with seven fraction digits, as the specification's examples show.
        result[name] = date.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        return true;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?$", RegexOptions.IgnoreCase)]
    private static partial Regex DateTimePattern();
}
