using Azure;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// A name of a scope held for an integration that is being created, before anything else is written for
/// it. Becomes the integration's name row when the integration is added; released if the create fails.
/// </summary>
/// <param name="AbandonedIntegrationId">
/// The integration a stale reservation was taken over from (a create that never finished): its secrets,
/// if it wrote any, belong to nobody now.
/// </param>
public sealed record NameReservation(string ScopeId, string Name, string IntegrationId, ETag ETag, string? AbandonedIntegrationId = null)
{
    /// <summary>
    /// How long a pending reservation is honoured. Far longer than a create can take (ServiceNow's whole
    /// verification is bounded by its total timeout of minutes), so only a create that died loses it.
    /// </summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(15);
}
