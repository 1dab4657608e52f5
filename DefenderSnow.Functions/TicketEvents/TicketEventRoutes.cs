namespace DefenderSnow.Functions.TicketEvents;

/// <summary>Where ServiceNow posts ticket events, and where it posted them before.</summary>
public static class TicketEventRoutes
{
    /// <summary>
    /// Below the Functions route prefix <c>api</c>. A prefix of its own because App Service authentication can only
    /// exclude exact paths and paths ending in <c>/*</c> (infra/app/function-app.bicep has the sources), and ServiceNow
    /// cannot sign in with Entra ID.
    /// </summary>
    public const string Events = "ticket-events/{integrationId}";

    /// <summary>
    /// The route of this version's predecessor. Its <c>integrations/*/ticket-events</c> exclusion, a <c>*</c> in the
    /// middle, is not a documented form; <see cref="RetiredTicketEventRoute"/> answers it for one version.
    /// </summary>
    public const string Retired = "integrations/{id}/ticket-events";

    public static string EventsPath(string integrationId) => $"/api/ticket-events/{Uri.EscapeDataString(integrationId)}";
}
