using DefenderSnow.Core.TicketEvents;

namespace DefenderSnow.Functions.TicketEvents;

/// <summary>The answer of <c>EnableWebhook</c>: the new secret (shown this once) and how ServiceNow must use it.</summary>
public sealed record WebhookResponse(
    string Secret,
    string EventsPath,
    string SignatureHeader,
    string TimestampHeader,
    DateTimeOffset RotatedAt,
    DateTimeOffset? PreviousAcceptedUntil)
{
    public static WebhookResponse From(string integrationId, WebhookSecretIssued issued) => new(
        issued.Secret,
        TicketEventRoutes.EventsPath(integrationId),
        TicketEventSignature.SignatureHeader,
        TicketEventSignature.TimestampHeader,
        issued.RotatedAt,
        issued.PreviousAcceptedUntil);
}
