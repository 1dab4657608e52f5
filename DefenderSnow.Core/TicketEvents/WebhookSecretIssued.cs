namespace DefenderSnow.Core.TicketEvents;

/// <summary>A newly generated webhook secret: the one time its value leaves DefenderSnow.</summary>
/// <param name="Secret">The signing key to give the ServiceNow business rule.</param>
/// <param name="RotatedAt">When it was generated.</param>
/// <param name="PreviousAcceptedUntil">Until when the secret it replaced is still accepted; null when it replaced none.</param>
/// <param name="Routing">How the business rule finds this integration when its instance has several.</param>
public sealed record WebhookSecretIssued(string Secret, DateTimeOffset RotatedAt, DateTimeOffset? PreviousAcceptedUntil, TicketEventRouting Routing);
