using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Sync;

/// <summary>A run's outcome, derived from its integrations' outcomes.</summary>
public enum SyncRunStatus
{
    [ContractName("running")]
    Running,
    [ContractName("succeeded")]
    Succeeded,
    [ContractName("partiallySucceeded")]
    PartiallySucceeded,
    [ContractName("failed")]
    Failed,
}
