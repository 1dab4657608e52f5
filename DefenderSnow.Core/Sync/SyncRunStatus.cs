namespace DefenderSnow.Core.Sync;

/// <summary>A run's outcome, derived from its integrations' outcomes.</summary>
public enum SyncRunStatus
{
    Running,
    Succeeded,
    PartiallySucceeded,
    Failed,
}
