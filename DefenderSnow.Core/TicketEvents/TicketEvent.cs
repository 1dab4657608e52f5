using System.Text.Json.Serialization;

namespace DefenderSnow.Core.TicketEvents;

/// <summary>
/// The body ServiceNow sends when one of our tickets changed. It names the ticket and nothing of its values: the handler
/// reads the ticket itself, so a field value in an event is never trusted.
/// </summary>
public sealed record TicketEvent
{
    /// <summary><c>incident</c>, <c>problem</c> or <c>change_request</c>.</summary>
    [JsonPropertyName("table")]
    public string? Table { get; init; }

    [JsonPropertyName("sys_id")]
    public string? SysId { get; init; }

    /// <summary>The ticket's <c>correlation_id</c>: the assignment it belongs to (the business rule only fires for ours).</summary>
    [JsonPropertyName("correlation_id")]
    public string? CorrelationId { get; init; }

    /// <summary>What ServiceNow says changed (field names only); logged, never relied on.</summary>
    [JsonPropertyName("changed_fields")]
    public IReadOnlyList<string>? ChangedFields { get; init; }
}
