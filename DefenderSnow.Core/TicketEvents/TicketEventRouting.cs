namespace DefenderSnow.Core.TicketEvents;

/// <summary>
/// How the business rule in <c>servicenow/defendersnow-ticket-event.js</c> finds the integration a ticket belongs to
/// when several integrations share one instance: by the ticket's <c>sys_created_by</c>, the user name of the user who
/// created it, which the instance stamps and no update can change (Table API: "sys_created_by": "glide.maint",
/// https://www.servicenow.com/docs/r/api-reference/rest-apis/c_TableAPI.html). DefenderSnow creates every ticket as
/// the integration's ServiceNow user and adopts only tickets that user created, so the creator names the integration,
/// provided each integration on the instance signs in as a user of its own.
/// </summary>
/// <param name="CreatedBy">The integration's ServiceNow user name: the key of this integration in <see cref="RoutesProperty"/>.</param>
/// <param name="UrlProperty">The system property holding this integration's event URL.</param>
/// <param name="SigningKeyProperty">The system property (password2) holding this integration's webhook secret.</param>
/// <param name="SharedWith">
/// Other integrations on the same instance, with ticket events on, that sign in as the same user: their events cannot be
/// told apart, so only one of them can receive them (the sync still follows every ticket).
/// </param>
public sealed record TicketEventRouting(string CreatedBy, string UrlProperty, string SigningKeyProperty, IReadOnlyList<string> SharedWith)
{
    /// <summary>A JSON object, ServiceNow user name → integration id. Left unset, the rule sends every event to the one integration of the unrouted properties.</summary>
    public const string RoutesProperty = "defendersnow.ticket_events.routes";

    /// <summary>The properties of an instance with one integration (and the fallback for a creator not in the routes).</summary>
    public const string UnroutedUrlProperty = "defendersnow.ticket_events.url";

    public const string UnroutedSecretProperty = "defendersnow.ticket_events.secret";

    /// <summary>Integration ids are 32 hexadecimal digits, so they are safe in a system property's name.</summary>
    public static string UrlPropertyOf(string integrationId) => $"defendersnow.ticket_events.{integrationId}.url";

    public static string SecretPropertyOf(string integrationId) => $"defendersnow.ticket_events.{integrationId}.secret";
}
