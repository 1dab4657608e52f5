using DefenderSnow.Core.TicketEvents;

namespace DefenderSnow.Functions.TicketEvents;

/// <summary>The answer of <c>EnableWebhook</c>: the new secret (shown this once) and how ServiceNow must use it.</summary>
public sealed record WebhookResponse(
    string Secret,
    string EventsPath,
    string SignatureHeader,
    string TimestampHeader,
    DateTimeOffset RotatedAt,
    DateTimeOffset? PreviousAcceptedUntil,
    WebhookRoutingResponse Routing)
{
    public static WebhookResponse From(string integrationId, WebhookSecretIssued issued) => new(
        issued.Secret,
        TicketEventRoutes.EventsPath(integrationId),
        TicketEventSignature.SignatureHeader,
        TicketEventSignature.TimestampHeader,
        issued.RotatedAt,
        issued.PreviousAcceptedUntil,
        new WebhookRoutingResponse(
            TicketEventRouting.RoutesProperty,
            issued.Routing.CreatedBy,
            issued.Routing.UrlProperty,
            issued.Routing.SigningKeyProperty,
            issued.Routing.SharedWith));
}

/// <summary>
/// What to put in the instance when it has several integrations: in <paramref name="RoutesProperty"/>'s JSON object,
/// <paramref name="CreatedBy"/> → the integration id, and this integration's URL and secret in its own two properties.
/// </summary>
public sealed record WebhookRoutingResponse(string RoutesProperty, string CreatedBy, string UrlProperty, string SigningKeyProperty, IReadOnlyList<string> SharedWith);
