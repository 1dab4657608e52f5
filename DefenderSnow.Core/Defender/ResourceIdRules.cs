using System.Text.RegularExpressions;
using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Shapes of the Resource Manager ids and names DefenderSnow puts into URLs. Everything a caller supplies
/// passes through here first, so that no value can add a query, a fragment, an escape or a <c>..</c> and
/// so address a different resource than the one it names.
/// </summary>
public static partial class ResourceIdRules
{
    private const int MaxResourceIdLength = 2048;

    /// <summary>
    /// Checks an Azure resource id (a subscription, or anything below one, including multicloud resources
    /// under a security connector) and returns it with the subscription segment in canonical form.
    /// </summary>
    /// <exception cref="ValidationException">On <paramref name="field"/> when the id is not a resource id.</exception>
    public static string ValidateResourceId(string? value, string field = "resourceId")
    {
        if (!TryNormalizeResourceId(value, out var normalized, out var problem))
        {
            throw new ValidationException(field, problem);
        }

        return normalized;
    }

    public static bool IsResourceId(string? value) => TryNormalizeResourceId(value, out _, out _);

    /// <summary>A recommendation (assessment) name or a governance assignment key: a single safe path segment.</summary>
    /// <exception cref="ValidationException">On <paramref name="field"/> when the name is not a single safe segment.</exception>
    public static string ValidateName(string? value, string field)
    {
        if (value is null || !NamePattern().IsMatch(value))
        {
            throw new ValidationException(field, "Must be 1-128 characters of letters, digits, '-' and '_', starting with a letter or digit.");
        }

        return value;
    }

    /// <summary>A management group's name (the last segment of its id).</summary>
    /// <exception cref="ValidationException">On <paramref name="field"/> when the name is not a management group name.</exception>
    public static string ValidateManagementGroupName(string? value, string field = "managementGroupId")
    {
        if (value is null || !ManagementGroupNamePattern().IsMatch(value) || value.EndsWith('.'))
        {
            throw new ValidationException(field, "Must be a management group name: 1-90 characters of letters, digits, '-', '_', '(', ')' and '.', not ending with '.'.");
        }

        return value;
    }

    /// <summary>The subscription id (lower-case GUID) a resource id lies under, if it lies under one.</summary>
    public static bool TryGetSubscriptionId(string? resourceId, out string subscriptionId)
    {
        subscriptionId = string.Empty;
        var match = resourceId is null ? null : SubscriptionPrefixPattern().Match(resourceId);
        if (match is null || !match.Success || !Guid.TryParse(match.Groups["sub"].Value, out var guid))
        {
            return false;
        }

        subscriptionId = guid.ToString("D");
        return true;
    }

    /// <summary>Whether <paramref name="resourceId"/> is <paramref name="scopeId"/> or lies below it (ids compare without regard to case, as in Resource Manager).</summary>
    public static bool IsAtOrBelow(string resourceId, string scopeId)
    {
        var scope = scopeId.TrimEnd('/');
        return resourceId.Equals(scope, StringComparison.OrdinalIgnoreCase)
            || (resourceId.Length > scope.Length
                && resourceId[scope.Length] == '/'
                && resourceId.StartsWith(scope, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// A validated resource id as it goes into <see cref="IResourceManagerApi"/>'s round-tripped <c>{**resourceId}</c>
    /// segment: the route templates start with '/' before it, so the id goes in without its own.
    /// </summary>
    internal static string RouteSegment(string validatedResourceId) => validatedResourceId[1..];

    private static bool TryNormalizeResourceId(string? value, out string normalized, out string problem)
    {
        normalized = string.Empty;
        problem = "Must be an Azure resource id such as /subscriptions/{guid}/resourceGroups/{group}/providers/{namespace}/{type}/{name}.";
        if (string.IsNullOrEmpty(value) || value.Length > MaxResourceIdLength || !value.StartsWith('/'))
        {
            return false;
        }

        var segments = value[1..].Split('/');
        if (segments.Length < 2
            || !segments[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase)
            || !Guid.TryParseExact(segments[1], "D", out var subscription))
        {
            return false;
        }

        foreach (var segment in segments)
        {
            if (!IsSafeSegment(segment))
            {
                problem = "Contains an empty, '.' or '..' segment, or a character that is not allowed in a resource id ('?', '#', '%', '\\', control characters, or surrounding spaces).";
                return false;
            }
        }

        segments[0] = "subscriptions";
        segments[1] = subscription.ToString("D");
        normalized = "/" + string.Join('/', segments);
        return true;
    }

    private static bool IsSafeSegment(string segment) =>
        segment.Length > 0
        && segment is not "." and not ".."
        && segment.Trim().Length == segment.Length
        && !segment.Any(c => char.IsControl(c) || c is '?' or '#' or '%' or '\\');

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_()\-][A-Za-z0-9_().\-]{0,89}$")]
    private static partial Regex ManagementGroupNamePattern();

    [GeneratedRegex("^/subscriptions/(?<sub>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})(/|$)", RegexOptions.IgnoreCase)]
    private static partial Regex SubscriptionPrefixPattern();
}
