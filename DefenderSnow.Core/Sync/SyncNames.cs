using DefenderSnow.Core.Assignments;

namespace DefenderSnow.Core.Sync;

/// <summary>The contract's camelCase names of enum values that appear inside a run.</summary>
public static class SyncNames
{
    public static string Of(ClosedReason reason) => reason switch
    {
        ClosedReason.TicketResolved => "ticketResolved",
        ClosedReason.TicketClosed => "ticketClosed",
        ClosedReason.TicketCanceled => "ticketCanceled",
        ClosedReason.TicketDeleted => "ticketDeleted",
        ClosedReason.Deleted => "deleted",
        ClosedReason.IntegrationDeleted => "integrationDeleted",
        ClosedReason.ResourceHealthy => "resourceHealthy",
        ClosedReason.ResourceRemoved => "resourceRemoved",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    public static string Of(IntegrationSyncStatus status) => status switch
    {
        IntegrationSyncStatus.CredentialsRejected => "credentialsRejected",
        _ => status.ToString().ToLowerInvariant(),
    };

    public static string Of(SyncRunStatus status) => status switch
    {
        SyncRunStatus.PartiallySucceeded => "partiallySucceeded",
        _ => status.ToString().ToLowerInvariant(),
    };
}
