using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// Where an integration's synchronization stands: a change cursor per ticket table, which run holds it,
/// and when it last had a full pass.
/// </summary>
public sealed record SyncState
{
    public required string IntegrationId { get; init; }

    /// <summary>Ticket table → the cursor past the last change applied.</summary>
    public IReadOnlyDictionary<string, ServiceNowChangeCursor> Cursors { get; init; } = new Dictionary<string, ServiceNowChangeCursor>();

    /// <summary>The run syncing the integration now, until <see cref="HeldUntil"/>.</summary>
    public string? HeldByRun { get; init; }

    /// <summary>A stuck run's hold expires then, so a crashed instance cannot block the integration for ever.</summary>
    public DateTimeOffset? HeldUntil { get; init; }

    public DateTimeOffset? LastFullSyncAt { get; init; }

    /// <summary>When a run last compared every live assignment with Defender's findings, all subscriptions read.</summary>
    public DateTimeOffset? LastFindingsCheckAt { get; init; }

    public bool IsHeldByAnotherRun(string runId, DateTimeOffset now) =>
        HeldByRun is not null && HeldByRun != runId && HeldUntil > now;
}
