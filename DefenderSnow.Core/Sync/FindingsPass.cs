using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Findings;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Rules;
using DefenderSnow.Core.ServiceNow;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Sync;

/// <summary>After the tickets: closing assignments whose findings are fixed, and the automation rules.</summary>
public sealed class FindingsPass
{
    private readonly IRuleStore _ruleStore;
    private readonly RuleEvaluator _rules;
    private readonly IFindingReader _findings;
    private readonly HealthyFindingCloser _healthyCloser;
    private readonly ISyncStateStore _states;
    private readonly IOptions<SyncOptions> _options;

    public FindingsPass(IRuleStore ruleStore, RuleEvaluator rules, IFindingReader findings, HealthyFindingCloser healthyCloser, ISyncStateStore states, IOptions<SyncOptions> options)
    {
        _ruleStore = ruleStore;
        _rules = rules;
        _findings = findings;
        _healthyCloser = healthyCloser;
        _states = states;
        _options = options;
    }

    /// <summary>Closing on the fix when it is due, then the automation rules, sharing one read of the findings when there are rules.</summary>
    internal async Task RunAsync(SyncMessage message, Integration integration, IServiceNowClient client, SyncState state, DateTimeOffset now, SyncTally tally, CancellationToken cancellationToken)
    {
        // An integration without rules costs this one table query. With rules, closing on the fix and rule evaluation
        // share one read of each subscription's findings; without, nothing needs them kept past the closing.
        var rules = await _ruleStore.ListAllAsync(message.IntegrationId, cancellationToken).ConfigureAwait(false);
        var findings = rules.Count > 0 ? new FindingsSnapshot(_findings) : _findings;

        // After the tickets: an assignment its ticket closed is not closed again for its finding.
        if (FindingsCheckDue(message, state, now)
            && await _healthyCloser.CloseFixedAsync(integration, client, findings, tally, cancellationToken).ConfigureAwait(false))
        {
            await _states.UpdateAsync(message.IntegrationId, s => s with { LastFindingsCheckAt = now }, cancellationToken).ConfigureAwait(false);
        }

        await EvaluateRulesAsync(integration, rules, findings, tally, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After the tickets: the automation rules open assignments for new unhealthy findings. Their failures are the run's
    /// errors, not its status, which says what ServiceNow said about the connection.
    /// </summary>
    private async Task EvaluateRulesAsync(Integration integration, IReadOnlyList<Rule> rules, IFindingReader findings, SyncTally tally, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var result in await _rules.EvaluateAllAsync(integration, rules, findings, cancellationToken).ConfigureAwait(false))
            {
                tally.RuleTicketsOpened += result.Tickets.Count;
                foreach (var ticket in result.Tickets)
                {
                    tally.RuleTicket(ticket.AssessmentName, ticket.Severity);
                    if (!ticket.Shared && ticket.ConfigurationItem is null)
                    {
                        tally.ConfigurationItemsNotFound++;
                    }
                }

                tally.RuleTicketsWaiting += result.Waiting;
                foreach (var error in result.Errors)
                {
                    tally.Error(null, $"Rule {result.RuleId}: {error}");
                }
            }
        }
        catch (DomainException e)
        {
            tally.Error(null, $"Rules were not evaluated: {e.Message}");
        }
    }

    /// <summary>Closing on the fix reads every finding and lists every live assignment: a full pass does it, other runs once per <c>FindingsCheckEvery</c>.</summary>
    private bool FindingsCheckDue(SyncMessage message, SyncState state, DateTimeOffset now) =>
        message.Full || state.LastFindingsCheckAt is not { } last || now - last >= _options.Value.FindingsCheckEvery;
}
