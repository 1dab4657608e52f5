using DefenderSnow.Core.Access;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Sla;

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
    SlaMatrixResponse? SlaMatrix,
    ResourceHealthyAction OnResourceHealthy,
    IntegrationDeletedAction OnDelete,
    IReadOnlyList<AccessEntryResponse> Access,
    IntegrationStatus Status,
    string? StatusDetail,
    IReadOnlyList<IntegrationAttention> NeedsAttention,
    DateTimeOffset CreatedAt,
    string? CreatedBy,
    DateTimeOffset UpdatedAt,
    string? UpdatedBy,
    DateTimeOffset? LastSyncAt,
    DateTimeOffset? WebhookRotatedAt,
    QueryDatesResponse? QueryDates)
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
        i.SlaMatrix is null ? null : SlaMatrixResponse.From(i.SlaMatrix),
        i.OnResourceHealthy,
        i.OnDelete,
        i.Access.Select(e => new AccessEntryResponse(e.PrincipalId, e.Roles)).ToList(),
        i.Status,
        i.StatusDetail,
        i.NeedsAttention,
        i.CreatedAt,
        i.CreatedBy,
        i.UpdatedAt,
        i.UpdatedBy,
        i.LastSyncAt,
        i.WebhookSecretRotatedAt,
        i.ServiceNowQueryDates is { } d ? new QueryDatesResponse(d.Mode, d.Zone, (int)d.Margin.TotalMinutes, d.MeasuredAt) : null);
}

/// <summary>The integration's SLA matrix: days by severity and by risk level under their contract names (a table it lacks is null).</summary>
public sealed record SlaMatrixResponse(IReadOnlyDictionary<string, int>? Severity, IReadOnlyDictionary<string, int>? RiskLevel, bool GracePeriod)
{
    public static SlaMatrixResponse From(SlaMatrix matrix)
    {
        var shown = matrix.ToRequest();
        return new SlaMatrixResponse(Days(shown.Severity), Days(shown.RiskLevel), matrix.GracePeriod);
    }

    private static Dictionary<string, int>? Days(IReadOnlyDictionary<string, int?>? table) =>
        table?.ToDictionary(e => e.Key, e => e.Value!.Value, StringComparer.Ordinal);
}

/// <summary>How the instance was measured to read the dates of the integration's queries (the sync cursor's bound).</summary>
public sealed record QueryDatesResponse(ServiceNowQueryDateMode Mode, string? TimeZone, int MarginMinutes, DateTimeOffset MeasuredAt);

public sealed record ScopeResponse(ScopeType Type, string Id);

/// <summary>One ticket type's mapping as resolved against the instance: state values with the instance's labels.</summary>
public sealed record TicketTypeResponse(
    string ResolvedState,
    string? CloseCodeField,
    string? CloseCode,
    string? RemovedCloseCode,
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
        m.ResolvedState, m.CloseCodeField, m.CloseCode, m.RemovedCloseCode, m.NotesField, m.CanceledState, m.CancelCode, m.ReopenState, m.ClosedStates, m.ResolveFrom,
        m.States.Select(s => new TicketStateResponse(s.Value, s.Label)).ToList(), m.Checked);
}

public sealed record TicketStateResponse(string Value, string Label);

/// <summary>One entry of the integration's access list.</summary>
public sealed record AccessEntryResponse(string PrincipalId, IReadOnlyList<string> Roles);
