using DefenderSnow.Core.Contract;

namespace DefenderSnow.Core.Sync;

/// <summary>What started a run.</summary>
public enum SyncTrigger
{
    [ContractName("timer")]
    Timer,
    [ContractName("manual")]
    Manual,
}
