namespace DefenderSnow.Core.Storage;

/// <summary>The logical tables of the design.</summary>
public enum Table
{
    Integrations,
    Assignments,

    /// <summary>Keys the app makes for itself, such as the continuation-token key.</summary>
    Keys,
    SyncRuns,

    /// <summary>Automation rules: partition = integration id, row key = rule id.</summary>
    Rules,

    /// <summary>One row per ticket whose event is waiting in the queue, so a burst of events is read once.</summary>
    PendingTicketEvents,
}

internal static class TableNames
{
    public static string Resolve(Table table, string prefix) => prefix + table switch
    {
        Table.Integrations => "integrations",
        Table.Assignments => "assignments",
        Table.Keys => "keys",
        Table.SyncRuns => "syncruns",
        Table.Rules => "rules",
        Table.PendingTicketEvents => "pendingticketevents",
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, null),
    };
}
