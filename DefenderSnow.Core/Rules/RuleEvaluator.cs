using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Findings;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Rules;

/// <summary>
/// Applies an integration's rules to Defender's findings: every Unhealthy finding in the scope without a live assignment
/// goes to the first rule (by priority) whose conditions it meets, and that rule opens its assignment through
/// <see cref="AssignmentService"/>, the crash-safe path of CreateAssignment. Findings and tags are read in bulk, a
/// subscription at a time; each rule opens at most <see cref="Rule.MaxTicketsPerRun"/> tickets and reports the rest as waiting.
/// </summary>
public sealed partial class RuleEvaluator
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NoTags =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    private readonly IRuleStore _rules;
    private readonly IAssignmentStore _assignments;
    private readonly IFindingReader _findings;
    private readonly IDefenderClient _defender;
    private readonly IScopeMembershipFactory _scopes;
    private readonly IServiceNowClientFactory _serviceNow;
    private readonly AssignmentService _assignmentService;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RuleEvaluator> _logger;

    public RuleEvaluator(
        IRuleStore rules,
        IAssignmentStore assignments,
        IFindingReader findings,
        IDefenderClient defender,
        IScopeMembershipFactory scopes,
        IServiceNowClientFactory serviceNow,
        AssignmentService assignmentService,
        TimeProvider timeProvider,
        ILogger<RuleEvaluator> logger)
    {
        _rules = rules;
        _assignments = assignments;
        _findings = findings;
        _defender = defender;
        _scopes = scopes;
        _serviceNow = serviceNow;
        _assignmentService = assignmentService;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// Every rule of the integration, as a sync run does, with the rules it listed and the findings reader of its run
    /// (a <see cref="FindingsSnapshot"/>, so findings closing on the fix read already are not read again).
    /// </summary>
    public async Task<IReadOnlyList<RuleEvaluation>> EvaluateAllAsync(
        Integration integration, IReadOnlyList<Rule> rules, IFindingReader findings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(integration);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(findings);
        return rules.Count == 0 ? [] : await EvaluateAsync(integration, rules, only: null, dryRun: false, findings, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One rule, on demand. The other rules still take part in matching: a finding whose first matching rule is another
    /// one is that rule's, not this one's. A dry run writes nothing anywhere.
    /// </summary>
    public async Task<RuleEvaluation> EvaluateAsync(Integration integration, Rule rule, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(integration);
        ArgumentNullException.ThrowIfNull(rule);
        var rules = await _rules.ListAllAsync(integration.Id, cancellationToken).ConfigureAwait(false);
        var results = await EvaluateAsync(integration, rules, rule.Id, dryRun, _findings, cancellationToken).ConfigureAwait(false);
        return results.SingleOrDefault(r => r.RuleId == rule.Id) ?? new RuleEvaluation(rule.Id, dryRun, [], 0, []);
    }

    private async Task<IReadOnlyList<RuleEvaluation>> EvaluateAsync(
        Integration integration, IReadOnlyList<Rule> rules, string? only, bool dryRun, IFindingReader findings, CancellationToken cancellationToken)
    {
        var matches = await MatchAsync(integration, rules, only, findings, cancellationToken).ConfigureAwait(false);
        var previous = matches.Values.Any(m => m.Taken.Count > 0)
            ? await PreviousTicketsAsync(integration.Id, cancellationToken).ConfigureAwait(false)
            : new Dictionary<string, string>();
        var client = _serviceNow.Create(integration.ToConnection());
        var owners = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var results = new List<RuleEvaluation>();
        foreach (var rule in rules.Where(r => only is null || r.Id == only))
        {
            var matched = matches.GetValueOrDefault(rule.Id) ?? new RuleMatches();
            results.Add(await OpenAsync(integration, rule, matched, previous, client, owners, dryRun, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>The findings each rule takes (up to its cap) and how many it matched in all.</summary>
    private async Task<Dictionary<string, RuleMatches>> MatchAsync(
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
        foreach (var subscription in await SubscriptionsAsync(integration.Scope, cancellationToken).ConfigureAwait(false))
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
                    ? finding with { Severity = await SeverityAsync(finding.AssessmentName, severities, cancellationToken).ConfigureAwait(false) }
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

    private async Task<RuleEvaluation> OpenAsync(
        Integration integration,
        Rule rule,
        RuleMatches matched,
        IReadOnlyDictionary<string, string> previous,
        IServiceNowClient client,
        Dictionary<string, string?> owners,
        bool dryRun,
        CancellationToken cancellationToken)
    {
        var tickets = new List<RuleTicket>();
        var errors = new List<string>();
        var waiting = matched.Total - matched.Taken.Count;
        var planned = new List<(Finding Finding, string Owner, string? Follows)>();
        for (var i = 0; i < matched.Taken.Count; i++)
        {
            var (finding, tags) = matched.Taken[i];
            var follows = previous.GetValueOrDefault(FindingKey.For(finding.AssessmentName, finding.ResourceId));
            try
            {
                planned.Add((finding, await OwnerAsync(client, rule, tags, owners, cancellationToken).ConfigureAwait(false), follows));
            }
            catch (Exception e) when (e is UpstreamUnreachableException or UpstreamRejectedException)
            {
                errors.Add($"Stopped at recommendation {finding.AssessmentName} on {finding.ResourceId}: {e.Message}");
                waiting += matched.Taken.Count - i;
                break;
            }
        }

        // Grouped per recommendation (and owner, as a ticket has one assignee): one shared ticket per group, its members
        // those with a previous ticket first, so the one that opens it can name it in correlation_display.
        var groups = rule.Grouping == RuleGrouping.PerRecommendation
            ? planned.GroupBy(p => (p.Finding.AssessmentName.ToLowerInvariant(), p.Owner.ToLowerInvariant()))
                .Select(g => g.OrderBy(p => p.Follows is null).ToList())
                .ToList()
            : planned.Select(p => new List<(Finding Finding, string Owner, string? Follows)> { p }).ToList();
        for (var g = 0; g < groups.Count; g++)
        {
            var members = groups[g];
            var shared = rule.Grouping == RuleGrouping.PerRecommendation
                ? new TicketGroup(
                    AssignmentId.New(),
                    TicketComposer.GroupShortDescription(members[0].Finding.DisplayName, members.Count),
                    TicketComposer.GroupDescription(members[0].Finding.DisplayName, members[0].Finding.Severity, members.Select(m => (m.Finding.ResourceId, m.Follows)).ToList()))
                : null;
            var stopped = await OpenMembersAsync(integration, rule, members, shared, dryRun, tickets, errors, cancellationToken).ConfigureAwait(false);
            if (stopped >= 0)
            {
                waiting += members.Count - stopped + groups.Skip(g + 1).Sum(m => m.Count);
                break;
            }
        }

        LogEvaluated(_logger, rule.Id, integration.Id, dryRun, tickets.Count, waiting, errors.Count);
        return new RuleEvaluation(rule.Id, dryRun, tickets, waiting, errors);
    }

    /// <summary>Opens the assignments of one ticket's members; returns the index of the member a failure stopped at, or -1.</summary>
    private async Task<int> OpenMembersAsync(
        Integration integration,
        Rule rule,
        List<(Finding Finding, string Owner, string? Follows)> members,
        TicketGroup? shared,
        bool dryRun,
        List<RuleTicket> tickets,
        List<string> errors,
        CancellationToken cancellationToken)
    {
        for (var i = 0; i < members.Count; i++)
        {
            var (finding, owner, follows) = members[i];
            try
            {
                if (dryRun)
                {
                    tickets.Add(new RuleTicket(finding.AssessmentName, finding.ResourceId, owner, null, null, follows));
                    continue;
                }

                var request = new CreateAssignmentRequest(
                    integration.Id,
                    finding.AssessmentName,
                    finding.ResourceId,
                    rule.TicketType,
                    owner,
                    rule.Caller,
                    // In Customized mode the short description is the caller's to write; a rule writes the composed one.
                    ShortDescription: integration.FieldMode == FieldMode.Customized ? TicketComposer.ShortDescription(finding.DisplayName, finding.ResourceId) : null,
                    RemediationTimeframeDays: rule.RemediationTimeframeDays,
                    GracePeriod: rule.GracePeriod,
                    EmailNotifications: new EmailNotificationsRequest(rule.EmailNotifications.NotifyOwner, rule.EmailNotifications.NotifyManager));
                var outcome = await _assignmentService.CreateAsync(request, $"rule:{rule.Id}", new AssignmentOrigin(rule.Id, follows, shared), cancellationToken).ConfigureAwait(false);
                if (outcome.Created)
                {
                    tickets.Add(new RuleTicket(finding.AssessmentName, finding.ResourceId, outcome.Assignment.AssignedTo, outcome.Assignment.Id, outcome.Assignment.Ticket.Number, follows));
                }
            }
            catch (Exception e) when (e is UpstreamUnreachableException or UpstreamRejectedException)
            {
                // ServiceNow or Resource Manager is down, throttling past its retries, or refusing the credentials or
                // access: every other finding would fare the same, so the rest waits for the next run.
                errors.Add($"Stopped at recommendation {finding.AssessmentName} on {finding.ResourceId}: {e.Message}");
                return i;
            }
            catch (DomainException e)
            {
                // This finding only (it turned healthy meanwhile, a user was deactivated…): the others go on.
                errors.Add($"Recommendation {finding.AssessmentName} on {finding.ResourceId}: {e.Message}");
            }
        }

        return -1;
    }

    /// <summary>
    /// The owner for a finding: the rule's user, or the e-mail in the resource's owner tag when it names exactly one
    /// active ServiceNow user with an e-mail (each address asked once per evaluation), else the rule's fallback user.
    /// </summary>
    private static async Task<string> OwnerAsync(
        IServiceNowClient client, Rule rule, IReadOnlyDictionary<string, string>? tags, Dictionary<string, string?> resolved, CancellationToken cancellationToken)
    {
        if (rule.Owner.Source == RuleOwnerSource.User)
        {
            return rule.Owner.User!;
        }

        var tagged = tags is not null && tags.TryGetValue(rule.Owner.TagName!, out var value) ? value.Trim() : null;
        if (tagged is { Length: > 0 and <= AssignmentInput.MaxUserLength } && tagged.Contains('@', StringComparison.Ordinal) && tagged.IndexOfAny(['^', ',', '=']) < 0)
        {
            if (!resolved.TryGetValue(tagged, out var email))
            {
                try
                {
                    email = (await client.ResolveUserAsync(tagged, "owner", cancellationToken).ConfigureAwait(false)).Email;
                }
                catch (ValidationException)
                {
                    email = null;
                }

                resolved[tagged] = email;
            }

            if (email is not null)
            {
                return email;
            }
        }

        return rule.Owner.FallbackUser!;
    }

    /// <summary>
    /// The severity of a recommendation the reader's catalog does not know yet (it is refreshed about hourly, and a new
    /// recommendation can be younger): its metadata, read once per evaluation.
    /// </summary>
    private async Task<string?> SeverityAsync(string assessmentName, Dictionary<string, string?> known, CancellationToken cancellationToken)
    {
        if (!known.TryGetValue(assessmentName, out var severity))
        {
            severity = (await _defender.GetAssessmentMetadataAsync(assessmentName, cancellationToken).ConfigureAwait(false))?.Severity?.ToString();
            known[assessmentName] = severity;
        }

        return severity;
    }

    /// <summary>The subscriptions whose findings can lie in the scope; findings are then checked one by one against it.</summary>
    private async Task<IReadOnlyList<string>> SubscriptionsAsync(DefenderScope scope, CancellationToken cancellationToken)
    {
        if (scope.Type == ScopeType.ManagementGroup)
        {
            var descendants = await _defender.ListManagementGroupDescendantsAsync(scope.GetManagementGroupName(), cancellationToken).ConfigureAwait(false);
            return descendants
                .Where(d => d.IsSubscription)
                .Select(d => ResourceIdRules.TryGetSubscriptionId(d.Id, out var id) ? id : null)
                .OfType<string>()
                .Distinct(StringComparer.Ordinal)
                .ToList();
        }

        // A subscription, or a connector, which lives in one.
        return ResourceIdRules.TryGetSubscriptionId(scope.Id, out var subscription) ? [subscription] : [];
    }

    /// <summary>The ticket of each finding's most recently closed assignment, by finding key.</summary>
    private async Task<IReadOnlyDictionary<string, string>> PreviousTicketsAsync(string integrationId, CancellationToken cancellationToken)
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule {RuleId} of integration {IntegrationId} evaluated (dry run: {DryRun}): {Opened} tickets, {Waiting} waiting, {ErrorCount} errors")]
    private static partial void LogEvaluated(ILogger logger, string ruleId, string integrationId, bool dryRun, int opened, int waiting, int errorCount);

    private sealed class RuleMatches
    {
        public List<(Finding Finding, IReadOnlyDictionary<string, string>? Tags)> Taken { get; } = [];

        public int Total { get; set; }
    }
}
