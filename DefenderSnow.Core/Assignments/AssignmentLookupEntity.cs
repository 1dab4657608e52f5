using Azure;
using Azure.Data.Tables;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Assignments;

/// <summary>
/// Says which integration (partition) holds an assignment, so that reading an assignment by its id alone
/// is two point reads, never a scan. Partition = a bucket of the assignment id, row key = assignment id.
/// </summary>
internal sealed class AssignmentLookupEntity : ITableEntity
{
    public const string KindValue = "lookup";

    /// <summary>Integration ids are 32 hex digits, so no bucket can be mistaken for an integration's partition.</summary>
    private const string PartitionPrefix = "lookup-";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Kind { get; set; } = KindValue;

    public string IntegrationId { get; set; } = string.Empty;

    /// <summary>256 buckets spread the rows without making any partition hot.</summary>
    public static string PartitionFor(string assignmentId) => PartitionPrefix + StorageKeys.Hash(assignmentId)[..2];

    public static AssignmentLookupEntity For(Assignment assignment) => new()
    {
        PartitionKey = PartitionFor(assignment.Id),
        RowKey = assignment.Id,
        IntegrationId = assignment.IntegrationId,
    };
}
