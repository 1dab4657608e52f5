using DefenderSnow.Core.Access;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Findings;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Rules;

/// <summary>
/// Applies an integration's rules to Defender's findings: every Unhealthy finding in the scope without a live assignment
/// goes to the first rule (by priority) whose conditions it meets (<see cref="RuleCandidates"/>), and that rule opens its
/// assignment through <see cref="AssignmentService"/>, the crash-safe path of CreateAssignment. Each rule opens at most
/// <see cref="Rule.MaxTicketsPerRun"/> tickets and reports the rest as waiting.
/// </summary>
public sealed partial class RuleEvaluator
{
    private readonly IRuleStore _rules;
    private readonly IFindingReader _findings;
    private readonly RuleCandidates _candidates;
    private readonly IServiceNowClientFactory _serviceNow;
    private readonly AssignmentService _assignmentService;
    private readonly ILogger<RuleEvaluator> _logger;

    public RuleEvaluator(
        IRuleStore rules,
        IFindingReader findings,
        RuleCandidates candidates,
        IServiceNowClientFactory serviceNow,
        AssignmentService assignmentService,
        ILogger<RuleEvaluator> logger)
    {
        _rules = rules;
        _findings = findings;
        _candidates = candidates;
        _serviceNow = serviceNow;
        _assignmentService = assignmentService;
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
        var matches = await _candidates.SelectAsync(integration, rules, only, findings, cancellationToken).ConfigureAwait(false);
        var previous = matches.Values.Any(m => m.Taken.Count > 0)
            ? await _candidates.PreviousTicketsAsync(integration.Id, cancellationToken).ConfigureAwait(false)
            : new Dictionary<string, string>();
        var client = _serviceNow.Create(integration.ToConnection());
        var owners = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var evaluated = rules.Where(r => only is null || r.Id == only).ToList();

        // The configuration items of every per-finding ticket about to be opened, all rules together: one look-up for the
        // evaluation, not one per finding. A shared ticket names several resources, so it links none; a dry run reads nothing.
        var items = new ConfigurationItemCache(_logger);
        if (!dryRun)
        {
            var resources = evaluated.Where(r => r.Grouping != RuleGrouping.PerRecommendation)
                .SelectMany(r => (matches.GetValueOrDefault(r.Id) ?? new RuleMatches()).Taken.Select(t => t.Finding.ResourceId))
                .ToList();
            await items.LoadAsync(client, resources, cancellationToken).ConfigureAwait(false);
        }

        var results = new List<RuleEvaluation>();
        foreach (var rule in evaluated)
        {
            var matched = matches.GetValueOrDefault(rule.Id) ?? new RuleMatches();
            results.Add(await OpenAsync(integration, rule, matched, previous, client, owners, items, dryRun, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private async Task<RuleEvaluation> OpenAsync(
        Integration integration,
        Rule rule,
        RuleMatches matched,
        IReadOnlyDictionary<string, string> previous,
        IServiceNowClient client,
        Dictionary<string, string?> owners,
        ConfigurationItemCache items,
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
        // those with a previous ticket first, so the one that opens it can name it in correlation_display; then, for a
        // rule on the SLA matrix, the fewest days first, so that the shared ticket's due_date is its most urgent member's.
        var groups = rule.Grouping == RuleGrouping.PerRecommendation
            ? planned.GroupBy(p => (p.Finding.AssessmentName.ToLowerInvariant(), p.Owner.ToLowerInvariant()))
                .Select(g => g.OrderBy(p => p.Follows is null).ThenBy(p => MatrixDays(integration, rule, p.Finding)).ToList())
                .ToList()
            : planned.Select(p => new List<(Finding Finding, string Owner, string? Follows)> { p }).ToList();
        for (var g = 0; g < groups.Count; g++)
        {
            var members = groups[g];
            var shared = rule.Grouping == RuleGrouping.PerRecommendation
                ? new TicketGroup(
                    AssignmentId.New(),
                    TicketComposer.GroupShortDescription(members[0].Finding.DisplayName, members.Count),
                    TicketComposer.GroupDescription(members[0].Finding.DisplayName, members[0].Finding.Severity, members.Select(m => (m.Finding.ResourceId, m.Finding.Risk, m.Follows)).ToList()))
                : null;
            var stopped = await OpenMembersAsync(integration, rule, members, shared, items, dryRun, tickets, errors, cancellationToken).ConfigureAwait(false);
            if (stopped >= 0)
            {
                waiting += members.Count - stopped + groups.Skip(g + 1).Sum(m => m.Count);
                break;
            }
        }

        LogEvaluated(_logger, rule.Id, integration.Id, dryRun, tickets.Count, waiting, errors.Count);
        return new RuleEvaluation(rule.Id, dryRun, tickets, waiting, errors);
    }

    /// <summary>The days the SLA matrix gives a finding, for a rule that takes them from it; 0 (all alike) otherwise.</summary>
    private static int MatrixDays(Integration integration, Rule rule, Finding finding) =>
        rule.RemediationTimeframeDays is null && integration.SlaMatrix is { } matrix ? matrix.DaysFor(finding.Severity, finding.Risk?.Level).Days : 0;

    /// <summary>Opens the assignments of one ticket's members; returns the index of the member a failure stopped at, or -1.</summary>
    private async Task<int> OpenMembersAsync(
        Integration integration,
        Rule rule,
        List<(Finding Finding, string Owner, string? Follows)> members,
        TicketGroup? shared,
        ConfigurationItemCache items,
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
                    tickets.Add(new RuleTicket(finding.AssessmentName, finding.ResourceId, owner, null, null, follows, finding.Severity, finding.Risk?.Level));
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
                    // A rule on the SLA matrix takes its grace period too, unless the rule turns the grace period on itself.
                    GracePeriod: rule.RemediationTimeframeDays is null && !rule.GracePeriod ? null : rule.GracePeriod,
                    EmailNotifications: new EmailNotificationsRequest(rule.EmailNotifications.NotifyOwner, rule.EmailNotifications.NotifyManager));
                var item = shared is null ? items.For(finding.ResourceId) : null;
                var outcome = await _assignmentService.CreateAsync(
                    request, $"rule:{rule.Id}", new AssignmentOrigin(rule.Id, follows, shared, item), CallerAccess.Unrestricted, cancellationToken).ConfigureAwait(false);
                if (outcome.Created)
                {
                    tickets.Add(new RuleTicket(
                        finding.AssessmentName, finding.ResourceId, outcome.Assignment.AssignedTo, outcome.Assignment.Id, outcome.Assignment.Ticket.Number, follows, finding.Severity, finding.Risk?.Level)
                    {
                        ConfigurationItem = item,
                        Shared = shared is not null,
                    });
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule {RuleId} of integration {IntegrationId} evaluated (dry run: {DryRun}): {Opened} tickets, {Waiting} waiting, {ErrorCount} errors")]
    private static partial void LogEvaluated(ILogger logger, string ruleId, string integrationId, bool dryRun, int opened, int waiting, int errorCount);
}
