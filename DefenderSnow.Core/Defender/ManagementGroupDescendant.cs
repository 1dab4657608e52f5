namespace DefenderSnow.Core.Defender;

/// <summary>
/// A management group (<c>/providers/Microsoft.Management/managementGroups/{name}</c>) or subscription
/// (<c>/subscriptions/{guid}</c>) somewhere below a management group; <c>ParentId</c> is the group directly above it.
/// </summary>
public sealed record ManagementGroupDescendant(string Id, string Name, string Type, string? DisplayName, string? ParentId)
{
    public const string ManagementGroupType = "Microsoft.Management/managementGroups";
    public const string SubscriptionType = "Microsoft.Management/managementGroups/subscriptions";

    public bool IsSubscription => Type.Equals(SubscriptionType, StringComparison.OrdinalIgnoreCase);
}
