using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Defender;

/// <summary>The kinds of Azure scope an integration can cover; stored under their contract names too.</summary>
public enum ScopeType
{
    [ContractName("managementGroup")]
    ManagementGroup,
    [ContractName("subscription")]
    Subscription,
    /// <summary>A multicloud connector for an AWS organization or GCP organization (its management account or project).</summary>
    [ContractName("masterConnector")]
    MasterConnector,
    /// <summary>A multicloud connector for one AWS account or GCP project.</summary>
    [ContractName("connector")]
    Connector,
}
