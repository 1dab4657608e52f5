namespace DefenderSnow.Core.Sync;

/// <summary>One integration's part of a run: what was examined and changed, what failed, and what it cost.</summary>
public sealed record IntegrationSyncResult
{
    public required string IntegrationId { get; init; }

    public IntegrationSyncStatus Status { get; init; } = IntegrationSyncStatus.Pending;

    /// <summary>Why it was skipped or failed, in a sentence.</summary>
    public string? Note { get; init; }

    /// <summary>Whether this integration got a full pass (requested, or due by <c>FullSyncEvery</c>).</summary>
    public bool Full { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public int TicketsExamined { get; init; }

    /// <summary>Assignments closed, by closed reason (<c>ticketResolved</c>, …).</summary>
    public IReadOnlyDictionary<string, int> AssignmentsClosed { get; init; } = new Dictionary<string, int>();

    public int OwnersChanged { get; init; }

    public int TicketStatesUpdated { get; init; }

    /// <summary>Tickets the integration's automation rules opened in this run.</summary>
    public int RuleTicketsOpened { get; init; }

    /// <summary>The tickets the rules opened, by their findings' severity (<c>Critical</c>, …, <c>unknown</c> when none was given).</summary>
    public IReadOnlyDictionary<string, int> RuleTicketsBySeverity { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// Recommendations whose severity DefenderSnow does not know, among those the rules opened tickets for (ticketed at
    /// the highest impact): each once, with the severity as Defender wrote it.
    /// </summary>
    public IReadOnlyList<UnrecognizedSeverity> UnrecognizedSeverities { get; init; } = [];

    /// <summary>Findings the rules matched but left for a later run (each rule's <c>maxTicketsPerRun</c>, or a failure).</summary>
    public int RuleTicketsWaiting { get; init; }

    /// <summary>
    /// Tickets the rules opened for one resource whose id no configuration item (<c>cmdb_ci.object_id</c>) carries: their
    /// <c>cmdb_ci</c> is left empty. Shared (grouped) tickets link none and are not counted.
    /// </summary>
    public int ConfigurationItemsNotFound { get; init; }

    /// <summary>Defender findings read in bulk to close the assignments of fixed or removed resources.</summary>
    public int FindingsRead { get; init; }

    /// <summary>Tickets a full pass did not get back from the bulk read whose read by sys_id was refused (403) or came back blank: left open, reported.</summary>
    public int TicketsUnreadable { get; init; }

    /// <summary>Assignments a mass-closure guard kept open (their tickets or findings missing in numbers that look like an outage).</summary>
    public int ClosuresWithheld { get; init; }

    /// <summary>What the guards raised for a person in this run; also on the integration until a later pass settles it.</summary>
    public IReadOnlyList<Integrations.IntegrationAttention> NeedsAttention { get; init; } = [];

    public IReadOnlyList<SyncError> Errors { get; init; } = [];

    public int ServiceNowRequests { get; init; }

    public int ResourceManagerRequests { get; init; }

    public bool IsFinished => Status is not (IntegrationSyncStatus.Pending or IntegrationSyncStatus.Running);
}
