namespace DefenderSnow.Core.Storage;

/// <summary>The page sizes of the stores' own Table Storage reads, named once for every store.</summary>
internal static class TablePageSize
{
    /// <summary>
    /// Table Storage's largest page: a query returns at most 1,000 entities at a time
    /// (https://learn.microsoft.com/rest/api/storageservices/query-timeout-and-pagination). For a reader of a whole
    /// listing (a full pass, closing on the fix): fewer round trips.
    /// </summary>
    public const int Max = 1000;

    /// <summary>For reads that may stop early or keep what they read (rules, live assignments, integrations to sync).</summary>
    public const int Default = 200;
}
