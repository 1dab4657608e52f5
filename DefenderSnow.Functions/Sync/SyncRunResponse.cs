using DefenderSnow.Core.Sync;

namespace DefenderSnow.Functions.Sync;

/// <summary>A run as the contract shows it; enums by their contract names (<see cref="Http.ApiJson"/>).</summary>
public sealed record SyncRunResponse(
    string RunId,
    SyncTrigger Trigger,
    bool Full,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    SyncRunStatus Status,
    IReadOnlyList<IntegrationSyncResponse> Integrations)
{
    public static SyncRunResponse From(SyncRun run) => new(
        run.RunId,
        run.Trigger,
        run.Full,
        run.StartedAt,
        run.FinishedAt,
        run.Status,
        run.Integrations.Select(IntegrationSyncResponse.From).ToList());
}

/// <summary>One integration's part of a run.</summary>
public sealed record IntegrationSyncResponse(
    string IntegrationId,
    IntegrationSyncStatus Status,
    string? Note,
    bool Full,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int TicketsExamined,
    IReadOnlyDictionary<string, int> AssignmentsClosed,
    int OwnersChanged,
    int TicketStatesUpdated,
    int RuleTicketsOpened,
    int RuleTicketsWaiting,
    int ConfigurationItemsNotFound,
    IReadOnlyDictionary<string, int> RuleTicketsBySeverity,
    IReadOnlyList<UnrecognizedSeverity> UnrecognizedSeverities,
    int FindingsRead,
    int TicketsUnreadable,
    int ClosuresWithheld,
    IReadOnlyList<Core.Integrations.IntegrationAttention> NeedsAttention,
    IReadOnlyList<SyncError> Errors,
    SyncRequestsResponse Requests)
{
    public static IntegrationSyncResponse From(IntegrationSyncResult r) => new(
        r.IntegrationId,
        r.Status,
        r.Note,
        r.Full,
        r.StartedAt,
        r.FinishedAt,
        r.TicketsExamined,
        r.AssignmentsClosed,
        r.OwnersChanged,
        r.TicketStatesUpdated,
        r.RuleTicketsOpened,
        r.RuleTicketsWaiting,
        r.ConfigurationItemsNotFound,
        r.RuleTicketsBySeverity,
        r.UnrecognizedSeverities,
        r.FindingsRead,
        r.TicketsUnreadable,
        r.ClosuresWithheld,
        r.NeedsAttention,
        r.Errors,
        new SyncRequestsResponse(r.ServiceNowRequests, r.ResourceManagerRequests));
}

/// <summary>Requests sent on the integration's behalf, every attempt and token request included.</summary>
public sealed record SyncRequestsResponse(int ServiceNow, int ResourceManager);
