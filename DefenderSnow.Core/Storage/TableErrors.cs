using Azure;
using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Storage;

/// <summary>Turns Table Storage failures that are not about our data into the app's typed errors.</summary>
internal static class TableErrors
{
    public const int Conflict = 409;
    public const int NotFound = 404;
    public const int PreconditionFailed = 412;

    public static Exception Unreachable(RequestFailedException e) =>
        new UpstreamUnreachableException("Table Storage", $"Table Storage failed ({e.Status} {e.ErrorCode}).", e);
}
