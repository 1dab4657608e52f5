namespace DefenderSnow.Core.Storage;

/// <summary>The logical tables of the design.</summary>
public enum Table
{
    Integrations,
    Assignments,
}

internal static class TableNames
{
    public static string Resolve(Table table, string prefix) => prefix + table switch
    {
        Table.Integrations => "integrations",
        Table.Assignments => "assignments",
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, null),
    };
}
