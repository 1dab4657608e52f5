using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Integrations;

namespace DefenderSnow.Functions.Integrations;

/// <summary>The integration as the contract shows it: never a secret. Enums are written by their contract names (<see cref="Http.ApiJson"/>).</summary>
public sealed record IntegrationResponse(
    string Id,
    string Name,
    ScopeResponse Scope,
    string InstanceUrl,
    string Username,
    string ClientId,
    FieldMode FieldMode,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Fields,
    IReadOnlyDictionary<string, ImpactUrgency> TicketPriorities,
    ResourceHealthyAction OnResourceHealthy,
    IntegrationStatus Status,
    string? StatusDetail,
    IReadOnlyList<IntegrationAttention> NeedsAttention,
    DateTimeOffset CreatedAt,
    string? CreatedBy,
    DateTimeOffset UpdatedAt,
    string? UpdatedBy,
    DateTimeOffset? LastSyncAt,
    DateTimeOffset? WebhookRotatedAt)
{
    public static IntegrationResponse From(Integration i) => new(
        i.Id,
        i.Name,
        new ScopeResponse(i.Scope.Type, i.Scope.Id),
        i.InstanceUrl.GetLeftPart(UriPartial.Authority),
        i.Username,
        i.ClientId,
        i.FieldMode,
        i.Fields.ByTable,
        i.TicketPriorities.ByName(),
        i.OnResourceHealthy,
        i.Status,
        i.StatusDetail,
        i.NeedsAttention,
        i.CreatedAt,
        i.CreatedBy,
        i.UpdatedAt,
        i.UpdatedBy,
        i.LastSyncAt,
        i.WebhookSecretRotatedAt);
}

public sealed record ScopeResponse(ScopeType Type, string Id);
