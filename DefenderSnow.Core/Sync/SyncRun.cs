namespace DefenderSnow.Core.Sync;

/// <summary>A synchronization run and, per integration, how it went.</summary>
public sealed record SyncRun
{
    public required string RunId { get; init; }

    public required SyncTrigger Trigger { get; init; }

    public required bool Full { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required IReadOnlyList<IntegrationSyncResult> Integrations { get; init; }

    /// <summary>When the last integration finished; null while any is pending or running.</summary>
    public DateTimeOffset? FinishedAt => Status == SyncRunStatus.Running
        ? null
        : Integrations.Select(i => i.FinishedAt).Where(f => f is not null).DefaultIfEmpty(StartedAt).Max();

    /// <summary>
    /// Derived, never stored: each integration writes only its own row, so concurrent handlers of one run
    /// never contend for one entity.
    /// </summary>
    public SyncRunStatus Status
    {
        get
        {
            if (Integrations.Any(i => !i.IsFinished))
            {
                return SyncRunStatus.Running;
            }

            var failed = Integrations.Count(i => i.Status is IntegrationSyncStatus.Failed or IntegrationSyncStatus.CredentialsRejected or IntegrationSyncStatus.Unreachable);
            if (failed > 0 && failed == Integrations.Count)
            {
                return SyncRunStatus.Failed;
            }

            return failed > 0 || Integrations.Any(i => i.Errors.Count > 0) ? SyncRunStatus.PartiallySucceeded : SyncRunStatus.Succeeded;
        }
    }
}
