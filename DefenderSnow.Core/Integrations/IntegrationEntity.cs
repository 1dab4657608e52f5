using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using DefenderSnow.Core.Access;
using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Sla;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// The row of an integration. All integrations share one partition, so that an integration and its
/// name reservation (<see cref="IntegrationNameEntity"/>) are written in one transaction.
/// </summary>
internal sealed class IntegrationEntity : ITableEntity
{
    public const string Partition = "integrations";
    public const string KindValue = "integration";

    /// <summary>Enums by member name, as the row's other enums are stored.</summary>
    private static readonly JsonSerializerOptions AttentionJson = new() { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public string PartitionKey { get; set; } = Partition;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Kind { get; set; } = KindValue;

    public string Name { get; set; } = string.Empty;

    /// <summary>The row key of the name reservation, kept so a rename or delete can remove it.</summary>
    public string NameKey { get; set; } = string.Empty;

    public string ScopeType { get; set; } = string.Empty;

    public string ScopeId { get; set; } = string.Empty;

    /// <summary>The scope id folded to lower case: ARM ids are case-insensitive, Table filters are not.</summary>
    public string ScopeKey { get; set; } = string.Empty;

    public string InstanceUrl { get; set; } = string.Empty;

    public string Username { get; set; } = string.Empty;

    public string ClientId { get; set; } = string.Empty;

    public string? ServiceNowTimeZone { get; set; }

    /// <summary><see cref="ServiceNow.ServiceNowQueryDates.Serialize"/>; empty until measured.</summary>
    public string? ServiceNowQueryDates { get; set; }

    public string FieldMode { get; set; } = string.Empty;

    public string FieldsJson { get; set; } = "{}";

    /// <summary>The impact/urgency matrix by severity name; null in rows written before it existed, which read as the defaults.</summary>
    public string? TicketPrioritiesJson { get; set; }

    /// <summary>Null in rows written before the setting existed, which read as <see cref="ResourceHealthyAction.Note"/>.</summary>
    public string? OnResourceHealthy { get; set; }

    /// <summary>Null in rows written before the setting existed, which read as <see cref="IntegrationDeletedAction.Note"/>.</summary>
    public string? OnDelete { get; set; }

    /// <summary>The ticket type mappings; null in rows written before they existed, which read as the out-of-box ones.</summary>
    public string? TicketTypesJson { get; set; }

    public string? WarningsJson { get; set; }

    public DateTimeOffset? InstanceReadAt { get; set; }
    /// <summary>The SLA matrix as its request shape (<see cref="SlaMatrixRequest"/>); null when the integration has none.</summary>
    public string? SlaMatrixJson { get; set; }

    /// <summary>The access list as JSON; null in rows written before it existed, which read as an empty list.</summary>
    public string? AccessJson { get; set; }

    public string Status { get; set; } = string.Empty;

    public string? StatusDetail { get; set; }

    /// <summary>The closures sync withheld (<see cref="IntegrationAttention"/>, as JSON); null when none, and in rows written before it existed.</summary>
    public string? NeedsAttentionJson { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }

    public DateTimeOffset? LastSyncAt { get; set; }

    public DateTimeOffset? DeletionStartedAt { get; set; }

    public DateTimeOffset? DeletionChainAt { get; set; }

    public DateTimeOffset? WebhookSecretRotatedAt { get; set; }

    public static string ScopeKeyOf(string scopeId) => scopeId.ToLowerInvariant();

    public static IntegrationEntity From(Integration i) => new()
    {
        RowKey = i.Id,
        Name = i.Name,
        NameKey = IntegrationNameEntity.RowKeyFor(i.Scope.Id, i.Name),
        // Stored under its contract name (unlike the other enums, stored under their member names), as it always was.
        ScopeType = i.Scope.Type.ToContract(),
        ScopeId = i.Scope.Id,
        ScopeKey = ScopeKeyOf(i.Scope.Id),
        InstanceUrl = i.InstanceUrl.AbsoluteUri,
        Username = i.Username,
        ClientId = i.ClientId,
        ServiceNowTimeZone = i.ServiceNowTimeZone,
        ServiceNowQueryDates = i.ServiceNowQueryDates?.Serialize(),
        FieldMode = i.FieldMode.ToString(),
        FieldsJson = JsonSerializer.Serialize(i.Fields.ByTable),
        TicketPrioritiesJson = JsonSerializer.Serialize(i.TicketPriorities.ByName()),
        OnResourceHealthy = i.OnResourceHealthy.ToString(),
        OnDelete = i.OnDelete.ToString(),
        TicketTypesJson = JsonSerializer.Serialize(i.TicketTypes),
        WarningsJson = i.Warnings.Count == 0 ? null : JsonSerializer.Serialize(i.Warnings),
        InstanceReadAt = i.InstanceReadAt,
        SlaMatrixJson = i.SlaMatrix is null ? null : JsonSerializer.Serialize(i.SlaMatrix.ToRequest()),
        AccessJson = JsonSerializer.Serialize(i.Access),
        Status = i.Status.ToString(),
        StatusDetail = i.StatusDetail,
        NeedsAttentionJson = i.NeedsAttention.Count == 0 ? null : JsonSerializer.Serialize(i.NeedsAttention, AttentionJson),
        CreatedAt = i.CreatedAt,
        CreatedBy = i.CreatedBy,
        UpdatedAt = i.UpdatedAt,
        UpdatedBy = i.UpdatedBy,
        LastSyncAt = i.LastSyncAt,
        DeletionStartedAt = i.DeletionStartedAt,
        DeletionChainAt = i.DeletionChainAt,
        WebhookSecretRotatedAt = i.WebhookSecretRotatedAt,
    };

    /// <exception cref="CorruptRowException">A value of the row cannot be read; nothing is guessed.</exception>
    public Versioned<Integration> ToModel()
    {
        if (!ContractNames.TryParse(ScopeType, out Defender.ScopeType scopeType))
        {
            throw Corrupt($"the scope type '{ScopeType}' is unknown");
        }

        if (!Uri.TryCreate(InstanceUrl, UriKind.Absolute, out var instanceUrl))
        {
            throw Corrupt("the instance URL is not an absolute URL");
        }

        Dictionary<string, List<string>>? fields;
        try
        {
            fields = JsonSerializer.Deserialize<Dictionary<string, List<string>>>(FieldsJson);
        }
        catch (JsonException e)
        {
            throw Corrupt("the ticket fields are not valid JSON", e);
        }

        var priorities = TicketPriorities.Default;
        if (TicketPrioritiesJson is not null)
        {
            try
            {
                var stored = JsonSerializer.Deserialize<Dictionary<string, ImpactUrgencyRequest?>>(TicketPrioritiesJson);
                priorities = TicketPriorities.Parse(stored ?? throw Corrupt("the ticket priorities are null"), TicketPriorities.Default);
            }
            catch (Exception e) when (e is JsonException or ValidationException)
            {
                throw Corrupt("the ticket priorities are not a valid matrix", e);
            }
        }

        List<IntegrationAttention>? attention = null;
        if (NeedsAttentionJson is not null)
        {
            try
            {
                attention = JsonSerializer.Deserialize<List<IntegrationAttention>>(NeedsAttentionJson, AttentionJson);
            }
            catch (JsonException e)
            {
                throw Corrupt("the closures withheld for a person are not valid JSON", e);
            }
        }

        IReadOnlyList<TicketTypeMapping> ticketTypes = Integration.DefaultTicketTypes;
        IReadOnlyList<string> warnings = [];
        try
        {
            if (TicketTypesJson is not null)
            {
                ticketTypes = JsonSerializer.Deserialize<List<TicketTypeMapping>>(TicketTypesJson) is { Count: > 0 } read ? read : throw Corrupt("the ticket types are empty");
            }

            if (WarningsJson is not null)
            {
                warnings = JsonSerializer.Deserialize<List<string>>(WarningsJson) ?? [];
            }
        }
        catch (JsonException e)
        {
            throw Corrupt("the ticket types or warnings are not valid JSON", e);
        }
        SlaMatrix? slaMatrix = null;
        if (SlaMatrixJson is not null)
        {
            try
            {
                var stored = JsonSerializer.Deserialize<SlaMatrixRequest>(SlaMatrixJson) ?? throw Corrupt("the SLA matrix is null");
                slaMatrix = SlaMatrixParser.ParseStored(stored) ?? throw Corrupt("the SLA matrix is empty");
            }
            catch (Exception e) when (e is JsonException or ValidationException)
            {
                throw Corrupt("the SLA matrix is not a valid matrix", e);
            }
        }

        IReadOnlyList<AccessEntry> access = [];
        if (AccessJson is not null)
        {
            try
            {
                access = JsonSerializer.Deserialize<List<AccessEntry>>(AccessJson) ?? throw Corrupt("the access list is null");
            }
            catch (JsonException e)
            {
                throw Corrupt("the access list is not valid JSON", e);
            }

            // An entry without an id or roles would be read as a grant to nobody; a row like that was not written by us.
            if (access.Any(e => e is null || string.IsNullOrEmpty(e.PrincipalId) || e.Roles is null))
            {
                throw Corrupt("an access entry has no principal id or roles");
            }
        }

        var integration = new Integration
        {
            Id = RowKey,
            Name = Name,
            Scope = new DefenderScope(scopeType, ScopeId),
            InstanceUrl = instanceUrl,
            Username = Username,
            ClientId = ClientId,
            ServiceNowTimeZone = ServiceNowTimeZone,
            ServiceNowQueryDates = string.IsNullOrEmpty(ServiceNowQueryDates) ? null : ServiceNow.ServiceNowQueryDates.Parse(ServiceNowQueryDates),
            FieldMode = ParseEnum<FieldMode>(FieldMode, "field mode"),
            TicketPriorities = priorities,
            SlaMatrix = slaMatrix,
            Fields = new TicketFields((fields ?? throw Corrupt("the ticket fields are null")).ToDictionary(f => f.Key, IReadOnlyList<string> (f) => f.Value)),
            TicketTypes = ticketTypes,
            Warnings = warnings,
            InstanceReadAt = InstanceReadAt,
            OnResourceHealthy = OnResourceHealthy is null ? ResourceHealthyAction.Note : ParseEnum<ResourceHealthyAction>(OnResourceHealthy, "onResourceHealthy action"),
            OnDelete = OnDelete is null ? IntegrationDeletedAction.Note : ParseEnum<IntegrationDeletedAction>(OnDelete, "onDelete action"),
            Access = access,
            Status = ParseEnum<IntegrationStatus>(Status, "status"),
            StatusDetail = StatusDetail,
            NeedsAttention = attention ?? [],
            CreatedAt = CreatedAt,
            CreatedBy = CreatedBy,
            UpdatedAt = UpdatedAt,
            UpdatedBy = UpdatedBy,
            LastSyncAt = LastSyncAt,
            DeletionStartedAt = DeletionStartedAt,
            DeletionChainAt = DeletionChainAt,
            WebhookSecretRotatedAt = WebhookSecretRotatedAt,
        };
        return new Versioned<Integration>(integration, ETag);
    }

    /// <summary>Only the names the enum defines: <see cref="Enum.TryParse{TEnum}(string?, out TEnum)"/> alone also takes numbers and lists.</summary>
    private TEnum ParseEnum<TEnum>(string value, string what)
        where TEnum : struct, Enum =>
        Enum.GetNames<TEnum>().Contains(value, StringComparer.Ordinal)
            ? Enum.Parse<TEnum>(value)
            : throw Corrupt($"the {what} '{value}' is unknown");

    private CorruptRowException Corrupt(string problem, Exception? inner = null) =>
        new(Table.Integrations.ToString(), PartitionKey, RowKey, problem, inner);
}
