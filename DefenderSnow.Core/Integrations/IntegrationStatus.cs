using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Integrations;

/// <summary>Set by credential verification and by synchronization.</summary>
public enum IntegrationStatus
{
    [ContractName("connected")]
    Connected,
    [ContractName("credentialsRejected")]
    CredentialsRejected,
    [ContractName("unreachable")]
    Unreachable,
    /// <summary>A delete goes on in the background; the status detail says how many assignments remain.</summary>
    [ContractName("deleting")]
    Deleting,
}
