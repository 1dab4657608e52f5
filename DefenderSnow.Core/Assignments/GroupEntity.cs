using Azure;
using Azure.Data.Tables;

namespace DefenderSnow.Core.Assignments;

/// <summary>
/// Marks a ticket group (one ticket shared by the members a rule grouped per recommendation) in its integration's
/// partition. A changed ticket names an assignment or a group by its correlation id; finding its members takes a scan
/// of the partition, so a sync first looks for this row and scans only for a group it has. Without it, every ticket
/// of another integration on the same instance would cost a scan of the whole partition.
/// </summary>
internal sealed class GroupEntity : ITableEntity
{
    public const string KindValue = "group";
    private const string RowKeyPrefix = "group-";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Kind { get; set; } = KindValue;

    public static string RowKeyFor(string groupId) => RowKeyPrefix + groupId;

    public static GroupEntity For(string integrationId, string groupId) => new() { PartitionKey = integrationId, RowKey = RowKeyFor(groupId) };
}
