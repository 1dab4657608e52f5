using Azure;
using Azure.Data.Tables;

namespace DefenderSnow.Core.Sync;

/// <summary>The row of a run in <c>syncruns</c>: partition = the run id's day bucket, row key = run id.</summary>
internal sealed class SyncRunEntity : ITableEntity
{
    public const string KindValue = "run";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Kind { get; set; } = KindValue;

    public string Trigger { get; set; } = string.Empty;

    public bool Full { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public int IntegrationCount { get; set; }
}
