namespace DefenderSnow.Core.Integrations;

/// <summary>
/// The body of UpdateIntegration: members left out stay as they are. Changing any of username,
/// password, client id or client secret makes DefenderSnow prove the resulting credentials before
/// they replace the stored ones. <see cref="ToString"/> never shows a secret.
/// </summary>
public sealed record UpdateIntegrationRequest(
    string? Name = null,
    IntegrationScopeRequest? Scope = null,
    string? InstanceUrl = null,
    string? Username = null,
    string? Password = null,
    string? ClientId = null,
    string? ClientSecret = null,
    string? FieldMode = null,
    IReadOnlyDictionary<string, IReadOnlyList<string?>?>? Fields = null,
    string? OnResourceHealthy = null,
    IReadOnlyDictionary<string, ImpactUrgencyRequest?>? TicketPriorities = null,
    IReadOnlyDictionary<string, TicketTypeRequest?>? TicketTypes = null,
    IReadOnlyList<AccessEntryRequest?>? Access = null,
    Sla.SlaMatrixRequest? SlaMatrix = null,
    string? OnDelete = null)
{
    public override string ToString() =>
        $"UpdateIntegrationRequest {{ Name = {Name}, Username = {Username}, ClientId = {ClientId}, Password = {(Password is null ? "unchanged" : "***")}, ClientSecret = {(ClientSecret is null ? "unchanged" : "***")}, FieldMode = {FieldMode}, OnResourceHealthy = {OnResourceHealthy}, OnDelete = {OnDelete} }}";
}
