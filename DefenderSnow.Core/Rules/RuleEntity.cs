using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace DefenderSnow.Core.Rules;

/// <summary>
/// The row of a rule: partition = integration id, row key = rule id. The definition is one JSON column: it is only
/// ever read whole, and Table Storage has no lists.
/// </summary>
internal sealed class RuleEntity : ITableEntity
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public int Priority { get; set; }

    public string DefinitionJson { get; set; } = "{}";

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }

    public static RuleEntity From(Rule rule) => new()
    {
        PartitionKey = rule.IntegrationId,
        RowKey = rule.Id,
        Priority = rule.Priority,
        DefinitionJson = JsonSerializer.Serialize(Definition.Of(rule), Json),
        CreatedAt = rule.CreatedAt,
        CreatedBy = rule.CreatedBy,
        UpdatedAt = rule.UpdatedAt,
        UpdatedBy = rule.UpdatedBy,
    };

    public Rule ToModel()
    {
        Definition? definition;
        try
        {
            definition = JsonSerializer.Deserialize<Definition>(DefinitionJson, Json);
        }
        catch (JsonException e)
        {
            throw new Storage.CorruptRowException("rules", PartitionKey, RowKey, "its definition is not valid JSON.", e);
        }

        if (definition?.Conditions is null || definition.Owner is null || definition.EmailNotifications is null)
        {
            throw new Storage.CorruptRowException("rules", PartitionKey, RowKey, "its definition lacks members.");
        }

        return new Rule
        {
            Id = RowKey,
            IntegrationId = PartitionKey,
            Name = definition.Name,
            Priority = Priority,
            Conditions = definition.Conditions,
            TicketType = definition.TicketType,
            Owner = definition.Owner,
            Caller = definition.Caller,
            RemediationTimeframeDays = definition.RemediationTimeframeDays,
            GracePeriod = definition.GracePeriod,
            EmailNotifications = definition.EmailNotifications,
            Grouping = definition.Grouping,
            MaxTicketsPerRun = definition.MaxTicketsPerRun,
            CreatedAt = CreatedAt,
            CreatedBy = CreatedBy,
            UpdatedAt = UpdatedAt,
            UpdatedBy = UpdatedBy,
        };
    }

    private sealed record Definition(
        string Name,
        RuleConditions Conditions,
        string TicketType,
        RuleOwner Owner,
        string Caller,
        int? RemediationTimeframeDays,
        bool GracePeriod,
        Assignments.EmailNotifications EmailNotifications,
        RuleGrouping Grouping,
        int MaxTicketsPerRun)
    {
        public static Definition Of(Rule r) => new(
            r.Name, r.Conditions, r.TicketType, r.Owner, r.Caller, r.RemediationTimeframeDays, r.GracePeriod, r.EmailNotifications, r.Grouping, r.MaxTicketsPerRun);
    }
}
