using DefenderSnow.Core.Rules;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Sync;
using DefenderSnow.Core.TicketEvents;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// The last step of <see cref="IntegrationDeletion"/>, once no live assignment is left: the refresh token (revoked at
/// ServiceNow), the cached ServiceNow tokens, the secrets, the sync state, the rules, what was read of the instance, the ticket events' cached secrets and pending rows, then the
/// integration row (last, so a crash before it leaves a row whose repeated delete finishes the rest). Each part can be removed again, so a
/// repeated delete or a redelivered message finishes what another started.
/// </summary>
public sealed partial class IntegrationRemnants
{
    private readonly IIntegrationStore _store;
    private readonly ISecretStore _secrets;
    private readonly IntegrationTokenRetirement _tokens;
    private readonly ISyncStateStore _syncStates;
    private readonly IRuleStore _rules;
    private readonly IIntegrationInstanceStore _instance;
    private readonly TicketEventRemnants _ticketEvents;
    private readonly ILogger<IntegrationDeletion> _logger;

    /// <param name="logger">The deletion's own category: its "deleted" line stays where operators look for the rest.</param>
    public IntegrationRemnants(
        IIntegrationStore store, ISecretStore secrets, IntegrationTokenRetirement tokens, ISyncStateStore syncStates, IRuleStore rules, IIntegrationInstanceStore instance, TicketEventRemnants ticketEvents, ILogger<IntegrationDeletion> logger)
    {
        _instance = instance;
        _store = store;
        _secrets = secrets;
        _tokens = tokens;
        _syncStates = syncStates;
        _rules = rules;
        _ticketEvents = ticketEvents;
        _logger = logger;
    }

    public async Task RemoveAsync(string integrationId, CancellationToken cancellationToken)
    {
        // The refresh token is revoked while it and the binding are still in Key Vault; a repeated delete finds neither.
        var row = await _store.GetAsync(integrationId, cancellationToken).ConfigureAwait(false);
        await _tokens.RetireAsync(integrationId, row?.Value.InstanceUrl, cancellationToken).ConfigureAwait(false);
        foreach (var secret in Enum.GetValues<IntegrationSecret>())
        {
            await _secrets.DeleteAsync(integrationId, secret, cancellationToken).ConfigureAwait(false);
        }

        await _syncStates.DeleteAsync(integrationId, cancellationToken).ConfigureAwait(false);
        await _rules.DeleteAllAsync(integrationId, cancellationToken).ConfigureAwait(false);
        await _instance.DeleteAsync(integrationId, cancellationToken).ConfigureAwait(false);
        await _ticketEvents.RemoveAsync(integrationId, cancellationToken).ConfigureAwait(false);
        var current = await _store.GetAsync(integrationId, cancellationToken).ConfigureAwait(false);
        if (current is not null)
        {
            await _store.DeleteAsync(current, cancellationToken).ConfigureAwait(false);
        }

        LogDeleted(_logger, integrationId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Integration {IntegrationId} deleted")]
    private static partial void LogDeleted(ILogger logger, string integrationId);
}
