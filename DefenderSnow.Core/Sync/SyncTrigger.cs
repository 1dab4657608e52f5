namespace DefenderSnow.Core.Sync;

/// <summary>What started a run.</summary>
public enum SyncTrigger
{
    Timer,
    Manual,
}
