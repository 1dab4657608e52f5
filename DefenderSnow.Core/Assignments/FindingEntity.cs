using Azure;
using Azure.Data.Tables;

namespace DefenderSnow.Core.Assignments;

/// <summary>
/// Points a finding at its one live assignment. It shares the assignment's partition so that both are
/// written in one entity-group transaction: inserting a second one for the same finding fails.
/// </summary>
internal sealed class FindingEntity : ITableEntity
{
    public const string KindValue = "finding";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Kind { get; set; } = KindValue;

    public string AssignmentId { get; set; } = string.Empty;
}
