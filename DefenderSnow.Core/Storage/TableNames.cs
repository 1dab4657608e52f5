namespace DefenderSnow.Core.Storage;

/// <summary>The logical tables of the design.</summary>
public enum Table
{
    Integrations,
    Assignments,
    SyncRuns,
}

internal static class TableNames
{
    public static string Resolve(Table table, string prefix) => prefix + table switch
    {
        Table.Integrations => "integrations",
        Table.Assignments => "assignments",
        Table.SyncRuns => "syncruns",
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, null),
    };
}
