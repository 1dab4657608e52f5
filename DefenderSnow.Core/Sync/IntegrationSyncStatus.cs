using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Sync;

/// <summary>How one integration fared in one run.</summary>
public enum IntegrationSyncStatus
{
    /// <summary>Its message is on the queue.</summary>
    [ContractName("pending")]
    Pending,
    [ContractName("running")]
    Running,
    [ContractName("succeeded")]
    Succeeded,
    /// <summary>Kept failing: its message reached the poison queue.</summary>
    [ContractName("failed")]
    Failed,
    /// <summary>ServiceNow refused the stored credentials (the password too); its assignments were left untouched.</summary>
    [ContractName("credentialsRejected")]
    CredentialsRejected,
    /// <summary>ServiceNow could not be reached, or kept failing.</summary>
    [ContractName("unreachable")]
    Unreachable,
    /// <summary>Not synced by this run; <see cref="IntegrationSyncResult.Note"/> says why (another run held it, or it was deleted).</summary>
    [ContractName("skipped")]
    Skipped,
}
