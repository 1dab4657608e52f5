using DefenderSnow.Core.Access;
using DefenderSnow.Core.Integrations;

namespace DefenderSnow.Core.TicketEvents;

/// <summary>Works out an integration's <see cref="TicketEventRouting"/>, and which other integrations it cannot be told apart from.</summary>
public sealed class TicketEventRouteFinder
{
    /// <summary>Stands for an integration the caller is not on the access list of.</summary>
    public const string HiddenIntegration = "(an integration you cannot see)";

    private const int PageSize = 200;
    private readonly IIntegrationStore _integrations;

    public TicketEventRouteFinder(IIntegrationStore integrations) => _integrations = integrations;

    /// <summary>
    /// Reads every integration once (there are tens, not thousands, and this runs only when ticket events are turned on or
    /// their secret rotated). The instance is compared by host and the user name without case: ServiceNow's user_name
    /// lookups ignore case, so two spellings are one user. An integration the caller may not see is named as
    /// <see cref="HiddenIntegration"/>: the caller learns that the clash exists, not what is behind it.
    /// </summary>
    public async Task<TicketEventRouting> FindAsync(Integration integration, CallerAccess access, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var shared = new List<string>();
        string? token = null;
        do
        {
            var page = await _integrations.ListAsync(null, PageSize, token, cancellationToken).ConfigureAwait(false);
            shared.AddRange(page.Items
                .Where(other => other.Id != integration.Id
                    && other.DeletionStartedAt is null
                    && other.WebhookSecretRotatedAt is not null
                    && string.Equals(other.InstanceUrl.Host, integration.InstanceUrl.Host, StringComparison.OrdinalIgnoreCase)
                    && string.Equals(other.Username, integration.Username, StringComparison.OrdinalIgnoreCase))
                .Select(other => IntegrationAccess.Allows(other, access) ? other.Id : HiddenIntegration));
            token = page.ContinuationToken;
        }
        while (token is not null);

        return new TicketEventRouting(
            integration.Username,
            TicketEventRouting.UrlPropertyOf(integration.Id),
            TicketEventRouting.SecretPropertyOf(integration.Id),
            shared);
    }
}
