using System.Text.RegularExpressions;
using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// The Azure scope an integration covers: a management group, a subscription, or a multicloud security
/// connector. Build one with <see cref="Parse"/>, which checks the id's shape and returns it normalised.
/// </summary>
public sealed partial record DefenderScope(ScopeType Type, string Id)
{
    private const string ManagementGroupPrefix = "/providers/Microsoft.Management/managementGroups/";

    /// <summary>
    /// Validates a scope as the API receives it: <paramref name="type"/> is the contract name of a
    /// <see cref="ScopeType"/>, <paramref name="id"/> the ARM id of that kind of scope.
    /// </summary>
    /// <returns>The scope with its id in canonical form (fixed segments cased as Resource Manager spells them, subscription GUIDs lower-case).</returns>
    /// <exception cref="ValidationException">With errors on <c>scope.type</c> and/or <c>scope.id</c>.</exception>
    public static DefenderScope Parse(string? type, string? id)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ContractNames.TryParse(type, out ScopeType scopeType))
        {
            errors["scope.type"] = [$"Must be one of {string.Join(", ", ContractNames.Of<ScopeType>())}."];
        }

        if (string.IsNullOrWhiteSpace(id))
        {
            errors["scope.id"] = ["Is required."];
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        var normalized = scopeType switch
        {
            ScopeType.ManagementGroup => NormalizeManagementGroup(id!),
            ScopeType.Subscription => NormalizeSubscription(id!),
            ScopeType.MasterConnector or ScopeType.Connector => NormalizeConnector(id!),
            _ => throw new ArgumentOutOfRangeException(nameof(type), scopeType, "Unknown scope type."),
        };
        return normalized is null
            ? throw new ValidationException("scope.id", DescribeExpected(scopeType))
            : new DefenderScope(scopeType, normalized);
    }

    /// <summary>The management group's name (the last segment of its id); only for <see cref="ScopeType.ManagementGroup"/>.</summary>
    public string GetManagementGroupName() => Type == ScopeType.ManagementGroup
        ? Id[(Id.LastIndexOf('/') + 1)..]
        : throw new InvalidOperationException($"A {Type.ToContract()} scope has no management group name.");

    private static string? NormalizeManagementGroup(string id)
    {
        var match = ManagementGroupPattern().Match(id);
        if (!match.Success)
        {
            return null;
        }

        var name = match.Groups["name"].Value;
        try
        {
            ResourceIdRules.ValidateManagementGroupName(name);
        }
        catch (ValidationException)
        {
            return null;
        }

        return ManagementGroupPrefix + name;
    }

    private static string? NormalizeSubscription(string id)
    {
        var match = SubscriptionPattern().Match(id);
        return match.Success && Guid.TryParseExact(match.Groups["sub"].Value, "D", out var guid)
            ? $"/subscriptions/{guid:D}"
            : null;
    }

    private static string? NormalizeConnector(string id)
    {
        var match = ConnectorPattern().Match(id);
        return match.Success && Guid.TryParseExact(match.Groups["sub"].Value, "D", out var guid) && !match.Groups["rg"].Value.EndsWith('.')
            ? $"/subscriptions/{guid:D}/resourceGroups/{match.Groups["rg"].Value}/providers/Microsoft.Security/securityConnectors/{match.Groups["name"].Value}"
            : null;
    }

    private static string DescribeExpected(ScopeType type) => type switch
    {
        ScopeType.ManagementGroup => "Must be a management group id: /providers/Microsoft.Management/managementGroups/{name}.",
        ScopeType.Subscription => "Must be a subscription id: /subscriptions/{guid}.",
        _ => "Must be a security connector id: /subscriptions/{guid}/resourceGroups/{group}/providers/Microsoft.Security/securityConnectors/{name}.",
    };

    [GeneratedRegex(@"^/providers/Microsoft\.Management/managementGroups/(?<name>[^/]+)$", RegexOptions.IgnoreCase)]
    private static partial Regex ManagementGroupPattern();

    [GeneratedRegex("^/subscriptions/(?<sub>[^/]+)$", RegexOptions.IgnoreCase)]
    private static partial Regex SubscriptionPattern();

    [GeneratedRegex(@"^/subscriptions/(?<sub>[^/]+)/resourceGroups/(?<rg>[-\w._()]{1,90})/providers/Microsoft\.Security/securityConnectors/(?<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,259})$", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectorPattern();
}
