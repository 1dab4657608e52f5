using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Findings;
using DefenderSnow.Core.Integrations;

namespace DefenderSnow.Core.Rules;

/// <summary>
/// Which findings each rule of an integration takes, for <see cref="RuleEvaluator"/>: every Unhealthy finding in the
/// scope without a live assignment goes to the first rule (by priority) whose conditions it meets. Findings and tags
/// are read in bulk, a subscription at a time. Also the tickets a rule's new assignments follow.
/// </summary>
public sealed class RuleCandidates
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NoTags =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    private readonly IAssignmentStore _assignments;
    private readonly IDefenderClient _defender;
    private readonly IScopeMembershipFactory _scopes;
    private readonly TimeProvider _timeProvider;
    private readonly UnrecognizedSeverityLog _unrecognized;

    public RuleCandidates(IAssignmentStore assignments, IDefenderClient defender, IScopeMembershipFactory scopes, TimeProvider timeProvider, UnrecognizedSeverityLog unrecognized)
    {
        _unrecognized = unrecognized;
        _assignments = assignments;
        _defender = defender;
        _scopes = scopes;
        _timeProvider = timeProvider;
    }

    /// <summary>The findings each rule takes (up to its cap) and how many it matched in all.</summary>
    internal async Task<Dictionary<string, RuleMatches>> SelectAsync(
        Integration integration, IReadOnlyList<Rule> rules, string? only, IFindingReader findings, CancellationToken cancellationToken)
    {
        var live = new HashSet<string>(StringComparer.Ordinal);
        var now = _timeProvider.GetUtcNow();
        await foreach (var assignment in _assignments.ListLiveAsync(integration.Id, cancellationToken).ConfigureAwait(false))
        {
            // A pending one whose request died (its claim lapsed) is not done: the create path completes it.
            if (assignment.Value is not { Status: AssignmentStatus.Pending, ClaimedUntil: var until } || until > now)
            {
                live.Add(assignment.Value.FindingKey);
            }
        }

        var needTags = rules.Any(r => r.Conditions.Tag is not null || r.Owner.Source == RuleOwnerSource.ResourceTag);
        var needSeverity = rules.Any(r => r.Conditions.MinimumSeverity is not null);
        var severities = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var scope = _scopes.Create();
        var matches = new Dictionary<string, RuleMatches>(StringComparer.Ordinal);
        // The subscriptions whose findings can lie in the scope; findings are then checked one by one against it.
        foreach (var subscription in await _defender.ListScopeSubscriptionsAsync(integration.Scope, cancellationToken).ConfigureAwait(false))
        {
            var tags = needTags ? await _defender.ListResourceTagsAsync(subscription, cancellationToken).ConfigureAwait(false) : NoTags;
            await foreach (var finding in findings.ReadSubscriptionAsync(subscription, cancellationToken).ConfigureAwait(false))
            {
                // Seen once per run: a finding that has its assignment already, or was matched above, is done.
                if (finding.Status != FindingStatus.Unhealthy || !live.Add(FindingKey.For(finding.AssessmentName, finding.ResourceId)))
                {
                    continue;
                }

                var resourceTags = tags.GetValueOrDefault(finding.ResourceId);
                var read = needSeverity && finding.Severity is null
                    ? finding with { Severity = await SeverityAsync(finding.AssessmentName, finding.SubscriptionId, severities, cancellationToken).ConfigureAwait(false) }
                    : finding;
                var rule = rules.FirstOrDefault(r => RuleMatching.Matches(r, read, resourceTags));
                if (rule is null || (only is not null && rule.Id != only)
                    || !await scope.IsCoveredAsync(integration.Scope, finding.ResourceId, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                if (!matches.TryGetValue(rule.Id, out var matched))
                {
                    matches[rule.Id] = matched = new RuleMatches();
                }

                matched.Total++;
                if (matched.Taken.Count < rule.MaxTicketsPerRun)
                {
                    matched.Taken.Add((read, resourceTags));
                }
            }
        }

        return matches;
    }

    /// <summary>
    /// The severity of a recommendation the reader's catalog does not know yet (it is refreshed about hourly, and a new
    /// recommendation can be younger): its metadata, the tenant's or (a custom recommendation) the finding's subscription's,
    /// read once per evaluation and subscription.
    /// </summary>
    private async Task<string?> SeverityAsync(string assessmentName, string subscriptionId, Dictionary<string, string?> known, CancellationToken cancellationToken)
    {
        var key = $"{subscriptionId}/{assessmentName}";
        if (!known.TryGetValue(key, out var severity))
        {
            severity = (await _defender.FindAssessmentMetadataAsync(assessmentName, subscriptionId, cancellationToken).ConfigureAwait(false))?.SeverityName;
            known[key] = severity;
            _unrecognized.Report(assessmentName, severity);
        }

        return severity;
    }

    /// <summary>The ticket of each finding's most recently closed assignment, by finding key.</summary>
    public async Task<IReadOnlyDictionary<string, string>> PreviousTicketsAsync(string integrationId, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<string, Assignment>(StringComparer.Ordinal);
        await foreach (var closed in _assignments.ListClosedAsync(integrationId, cancellationToken).ConfigureAwait(false))
        {
            if (closed.Ticket.Number is not null
                && (!latest.TryGetValue(closed.FindingKey, out var known) || (closed.ClosedAt ?? closed.UpdatedAt) > (known.ClosedAt ?? known.UpdatedAt)))
            {
                latest[closed.FindingKey] = closed;
            }
        }

        return latest.ToDictionary(p => p.Key, p => p.Value.Ticket.Number!, StringComparer.Ordinal);
    }
}
