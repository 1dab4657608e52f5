using DefenderSnow.Core.Sync;

namespace DefenderSnow.Functions.Sync;

/// <summary>A run as the contract shows it.</summary>
public sealed record SyncRunResponse(
    string RunId,
    string Trigger,
    bool Full,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string Status,
    IReadOnlyList<IntegrationSyncResponse> Integrations)
{
    public static SyncRunResponse From(SyncRun run) => new(
        run.RunId,
        run.Trigger == SyncTrigger.Timer ? "timer" : "manual",
        run.Full,
        run.StartedAt,
        run.FinishedAt,
        SyncNames.Of(run.Status),
        run.Integrations.Select(IntegrationSyncResponse.From).ToList());
}

/// <summary>One integration's part of a run.</summary>
public sealed record IntegrationSyncResponse(
    string IntegrationId,
    string Status,
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
    int FindingsRead,
    IReadOnlyList<SyncError> Errors,
    SyncRequestsResponse Requests)
{
    public static IntegrationSyncResponse From(IntegrationSyncResult r) => new(
        r.IntegrationId,
        SyncNames.Of(r.Status),
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
        r.FindingsRead,
        r.Errors,
        new SyncRequestsResponse(r.ServiceNowRequests, r.ResourceManagerRequests));
}

/// <summary>Requests sent on the integration's behalf, every attempt and token request included.</summary>
public sealed record SyncRequestsResponse(int ServiceNow, int ResourceManager);
