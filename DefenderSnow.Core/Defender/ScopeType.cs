namespace DefenderSnow.Core.Defender;

/// <summary>The kinds of Azure scope an integration can cover.</summary>
public enum ScopeType
{
    ManagementGroup,
    Subscription,
    /// <summary>A multicloud connector for an AWS organization or GCP organization (its management account or project).</summary>
    MasterConnector,
    /// <summary>A multicloud connector for one AWS account or GCP project.</summary>
    Connector,
}

/// <summary>The JSON names of <see cref="ScopeType"/> used by the API (<c>managementGroup</c>, <c>subscription</c>, …).</summary>
public static class ScopeTypeNames
{
    public const string ManagementGroup = "managementGroup";
    public const string Subscription = "subscription";
    public const string MasterConnector = "masterConnector";
    public const string Connector = "connector";

    public static IReadOnlyList<string> All { get; } = [ManagementGroup, Subscription, MasterConnector, Connector];

    public static string ToJsonName(ScopeType type) => type switch
    {
        ScopeType.ManagementGroup => ManagementGroup,
        ScopeType.Subscription => Subscription,
        ScopeType.MasterConnector => MasterConnector,
        ScopeType.Connector => Connector,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown scope type."),
    };

    /// <summary>Reads a JSON name exactly as the API spells it (case-sensitive, like every other enum value of the API).</summary>
    public static bool TryParse(string? name, out ScopeType type)
    {
        switch (name)
        {
            case ManagementGroup: type = ScopeType.ManagementGroup; return true;
            case Subscription: type = ScopeType.Subscription; return true;
            case MasterConnector: type = ScopeType.MasterConnector; return true;
            case Connector: type = ScopeType.Connector; return true;
            default: type = default; return false;
        }
    }
}
