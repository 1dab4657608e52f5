using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// One integration's part of a run in <c>syncruns</c>: same partition as the run, row key = run id + "_" +
/// integration id, so one range read returns a run with all its integrations.
/// </summary>
internal sealed class IntegrationSyncEntity : ITableEntity
{
    public const string KindValue = "integration";

    /// <summary>Table properties hold at most 64 KiB; a run reports this many errors per integration and counts the rest.</summary>
    public const int MaxStoredErrors = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Kind { get; set; } = KindValue;

    public string IntegrationId { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    public string? Note { get; set; }

    public bool Full { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public int TicketsExamined { get; set; }

    public string AssignmentsClosedJson { get; set; } = "{}";

    public int OwnersChanged { get; set; }

    public int TicketStatesUpdated { get; set; }

    public int RuleTicketsOpened { get; set; }

    public int RuleTicketsWaiting { get; set; }

    /// <summary>Zero in rows written before it existed.</summary>
    public int ConfigurationItemsNotFound { get; set; }

    public int FindingsRead { get; set; }

    public string ErrorsJson { get; set; } = "[]";

    /// <summary>Null in rows written before it existed, which read as none.</summary>
    public string? RuleTicketsBySeverityJson { get; set; }

    /// <summary>Null in rows written before it existed, which read as none.</summary>
    public string? UnrecognizedSeveritiesJson { get; set; }

    public int TicketsUnreadable { get; set; }

    public int ClosuresWithheld { get; set; }

    /// <summary>Null in rows written before it existed, and when nothing was raised.</summary>
    public string? NeedsAttentionJson { get; set; }

    public int ServiceNowRequests { get; set; }

    public int ResourceManagerRequests { get; set; }

    public static string RowKeyFor(string runId, string integrationId) => $"{runId}_{integrationId}";

    public static IntegrationSyncEntity From(string runId, IntegrationSyncResult r)
    {
        var errors = r.Errors.Take(MaxStoredErrors).ToList();
        if (r.Errors.Count > MaxStoredErrors)
        {
            errors.Add(new SyncError(r.IntegrationId, null, $"{r.Errors.Count - MaxStoredErrors} more errors are not listed."));
        }

        return new IntegrationSyncEntity
        {
            PartitionKey = SyncRunId.PartitionOf(runId),
            RowKey = RowKeyFor(runId, r.IntegrationId),
            IntegrationId = r.IntegrationId,
            Status = r.Status.ToString(),
            Note = r.Note,
            Full = r.Full,
            StartedAt = r.StartedAt,
            FinishedAt = r.FinishedAt,
            TicketsExamined = r.TicketsExamined,
            AssignmentsClosedJson = JsonSerializer.Serialize(r.AssignmentsClosed, Json),
            OwnersChanged = r.OwnersChanged,
            TicketStatesUpdated = r.TicketStatesUpdated,
            RuleTicketsOpened = r.RuleTicketsOpened,
            RuleTicketsWaiting = r.RuleTicketsWaiting,
            ConfigurationItemsNotFound = r.ConfigurationItemsNotFound,
            FindingsRead = r.FindingsRead,
            ErrorsJson = JsonSerializer.Serialize(errors, Json),
            RuleTicketsBySeverityJson = JsonSerializer.Serialize(r.RuleTicketsBySeverity, Json),
            UnrecognizedSeveritiesJson = JsonSerializer.Serialize(r.UnrecognizedSeverities.Take(MaxStoredErrors), Json),
            TicketsUnreadable = r.TicketsUnreadable,
            ClosuresWithheld = r.ClosuresWithheld,
            NeedsAttentionJson = r.NeedsAttention.Count == 0 ? null : JsonSerializer.Serialize(r.NeedsAttention, Json),
            ServiceNowRequests = r.ServiceNowRequests,
            ResourceManagerRequests = r.ResourceManagerRequests,
        };
    }

    public IntegrationSyncResult ToModel() => new()
    {
        IntegrationId = IntegrationId,
        Status = Enum.Parse<IntegrationSyncStatus>(Status),
        Note = Note,
        Full = Full,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
        TicketsExamined = TicketsExamined,
        AssignmentsClosed = JsonSerializer.Deserialize<Dictionary<string, int>>(AssignmentsClosedJson, Json) ?? [],
        OwnersChanged = OwnersChanged,
        TicketStatesUpdated = TicketStatesUpdated,
        RuleTicketsOpened = RuleTicketsOpened,
        RuleTicketsWaiting = RuleTicketsWaiting,
        ConfigurationItemsNotFound = ConfigurationItemsNotFound,
        FindingsRead = FindingsRead,
        Errors = JsonSerializer.Deserialize<List<SyncError>>(ErrorsJson, Json) ?? [],
        RuleTicketsBySeverity = RuleTicketsBySeverityJson is null ? new Dictionary<string, int>() : JsonSerializer.Deserialize<Dictionary<string, int>>(RuleTicketsBySeverityJson, Json) ?? [],
        UnrecognizedSeverities = UnrecognizedSeveritiesJson is null ? [] : JsonSerializer.Deserialize<List<UnrecognizedSeverity>>(UnrecognizedSeveritiesJson, Json) ?? [],
        TicketsUnreadable = TicketsUnreadable,
        ClosuresWithheld = ClosuresWithheld,
        NeedsAttention = NeedsAttentionJson is null ? [] : JsonSerializer.Deserialize<List<Integrations.IntegrationAttention>>(NeedsAttentionJson, Json) ?? [],
        ServiceNowRequests = ServiceNowRequests,
        ResourceManagerRequests = ResourceManagerRequests,
    };
}
