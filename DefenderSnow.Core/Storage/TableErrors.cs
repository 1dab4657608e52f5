namespace DefenderSnow.Core.Storage;

/// <summary>The Table Storage statuses the stores turn into domain errors.</summary>
internal static class TableErrors
{
    public const int Conflict = 409;
    public const int NotFound = 404;
    public const int PreconditionFailed = 412;
}
