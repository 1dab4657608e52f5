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
    IReadOnlyDictionary<string, TicketTypeResponse> TicketTypes,
    IReadOnlyList<string> Warnings,
    DateTimeOffset? InstanceReadAt,
    ResourceHealthyAction OnResourceHealthy,
    IntegrationStatus Status,
    string? StatusDetail,
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
        i.TicketTypes.ToDictionary(t => t.Table, TicketTypeResponse.From),
        i.Warnings,
        i.InstanceReadAt,
        i.OnResourceHealthy,
        i.Status,
        i.StatusDetail,
        i.CreatedAt,
        i.CreatedBy,
        i.UpdatedAt,
        i.UpdatedBy,
        i.LastSyncAt,
        i.WebhookSecretRotatedAt);
}

public sealed record ScopeResponse(ScopeType Type, string Id);

/// <summary>One ticket type's mapping as resolved against the instance: state values with the instance's labels.</summary>
public sealed record TicketTypeResponse(
    string ResolvedState,
    string? CloseCodeField,
    string? CloseCode,
    string? NotesField,
    string CanceledState,
    string? CancelCode,
    string? ReopenState,
    IReadOnlyList<string> ClosedStates,
    IReadOnlyList<string> ResolveFrom,
    IReadOnlyList<TicketStateResponse> States,
    bool Checked)
{
    public static TicketTypeResponse From(TicketTypeMapping m) => new(
        m.ResolvedState, m.CloseCodeField, m.CloseCode, m.NotesField, m.CanceledState, m.CancelCode, m.ReopenState, m.ClosedStates, m.ResolveFrom,
        m.States.Select(s => new TicketStateResponse(s.Value, s.Label)).ToList(), m.Checked);
}

public sealed record TicketStateResponse(string Value, string Label);
