namespace DefenderSnow.Core.Integrations;

/// <summary>
/// The body of CreateIntegration, as received: everything nullable, so that validation can name every
/// missing field at once. <see cref="ToString"/> never shows the password or client secret.
/// </summary>
public sealed record CreateIntegrationRequest(
    string? Name,
    IntegrationScopeRequest? Scope,
    string? InstanceUrl,
    string? Username,
    string? Password,
    string? ClientId,
    string? ClientSecret,
    string? FieldMode,
    IReadOnlyDictionary<string, IReadOnlyList<string?>?>? Fields,
    string? OnResourceHealthy = null,
    IReadOnlyDictionary<string, ImpactUrgencyRequest?>? TicketPriorities = null,
    IReadOnlyDictionary<string, TicketTypeRequest?>? TicketTypes = null,
    IReadOnlyList<AccessEntryRequest?>? Access = null,
    Sla.SlaMatrixRequest? SlaMatrix = null,
    string? OnDelete = null)
{
    public override string ToString() =>
        $"CreateIntegrationRequest {{ Name = {Name}, Scope = {Scope}, InstanceUrl = {InstanceUrl}, Username = {Username}, ClientId = {ClientId}, FieldMode = {FieldMode}, OnResourceHealthy = {OnResourceHealthy}, OnDelete = {OnDelete} }}";
}
