using DefenderSnow.Core.Access;
using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Rules;

/// <summary>
/// Creates, reads, changes and deletes an integration's automation rules, and evaluates one on demand. A rule is checked
/// against Defender and ServiceNow before it is stored (its recommendations exist, its sub-scope lies within the
/// integration's scope, its users resolve to active ServiceNow users), so a stored rule can open tickets.
/// </summary>
public sealed partial class RuleService
{
    /// <summary>The <c>top</c> of the list.</summary>
    public static readonly ListPageSize Paging = new(50);

    private readonly IRuleStore _rules;
    private readonly IntegrationAccess _integrations;
    private readonly RuleUpstreamCheck _upstream;
    private readonly RuleEvaluator _evaluator;
    private readonly IOptions<RuleOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RuleService> _logger;

    public RuleService(
        IRuleStore rules,
        IntegrationAccess integrations,
        RuleUpstreamCheck upstream,
        RuleEvaluator evaluator,
        IOptions<RuleOptions> options,
        TimeProvider timeProvider,
        ILogger<RuleService> logger)
    {
        _rules = rules;
        _integrations = integrations;
        _upstream = upstream;
        _evaluator = evaluator;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <param name="caller">Who asks, when App Service authentication says; recorded, never trusted for access.</param>
    /// <param name="access">What the caller may reach: the rules of an integration it is not on the list of are not found.</param>
    /// <exception cref="UnprocessableException">The integration has <see cref="RuleOptions.MaxPerIntegration"/> rules already.</exception>
    public async Task<Rule> CreateAsync(string integrationId, RuleRequest request, string? caller, CallerAccess access, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _timeProvider.GetUtcNow();
        var rule = RuleInput.Apply(new IntegrationValidation(), request, current: null, () => new Rule
        {
            Id = RuleId.New(),
            IntegrationId = integrationId,
            Name = string.Empty,
            Priority = 0,
            Conditions = new RuleConditions(),
            TicketType = string.Empty,
            Owner = new RuleOwner(RuleOwnerSource.User),
            Caller = string.Empty,
            CreatedAt = now,
            CreatedBy = caller,
            UpdatedAt = now,
            UpdatedBy = caller,
        })!;
        var integration = await LoadIntegrationAsync(integrationId, access, cancellationToken).ConfigureAwait(false);
        RefuseUnknownTicketType(integration, rule);
        RefuseWithoutDays(integration, rule);
        await RefuseBeyondCapAsync(integrationId, cancellationToken).ConfigureAwait(false);
        await _upstream.CheckAsync(integration, rule, cancellationToken).ConfigureAwait(false);
        var saved = await _rules.AddAsync(rule, cancellationToken).ConfigureAwait(false);
        LogSaved(_logger, rule.Id, integrationId, "created", caller ?? "an unnamed caller");
        return saved.Value;
    }

    /// <summary>
    /// A rule opens tickets in one of its integration's ticket tables (incident, problem and change_request unless its
    /// ticketTypes name others): any other name, even a real table such as task, is a bad body (400), nothing stored.
    /// </summary>
    private static void RefuseUnknownTicketType(Integration integration, Rule rule)
    {
        if (!integration.TicketTableNames.Contains(rule.TicketType, StringComparer.Ordinal))
        {
            throw new ValidationException("ticketType", $"'{rule.TicketType}' is not a ticket table of this integration ({string.Join(", ", integration.TicketTableNames)}).");
        }
    }

    public async Task<Rule> GetAsync(string integrationId, string ruleId, CallerAccess access, CancellationToken cancellationToken)
    {
        await LoadIntegrationAsync(integrationId, access, cancellationToken, refuseDeleting: false).ConfigureAwait(false);
        return (await LoadAsync(integrationId, ruleId, cancellationToken).ConfigureAwait(false)).Value;
    }

    public async Task<ResultPage<Rule>> ListAsync(string integrationId, int? pageSize, string? continuationToken, CallerAccess access, CancellationToken cancellationToken)
    {
        var size = Paging.Require(pageSize);

        await LoadIntegrationAsync(integrationId, access, cancellationToken, refuseDeleting: false).ConfigureAwait(false);
        return await _rules.ListAsync(integrationId, size, continuationToken, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Members given replace the rule's; the stored rule must not have changed since it was read (409 otherwise).</summary>
    public async Task<Rule> UpdateAsync(string integrationId, string ruleId, RuleRequest request, string? caller, CallerAccess access, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var integration = await LoadIntegrationAsync(integrationId, access, cancellationToken).ConfigureAwait(false);
        var current = await LoadAsync(integrationId, ruleId, cancellationToken).ConfigureAwait(false);
        var check = new IntegrationValidation();
        if (request == new RuleRequest())
        {
            check.Add("body", "Give at least one member to change.");
            check.ThrowIfInvalid();
        }

        var updated = RuleInput.Apply(check, request, current.Value, () => current.Value)! with { UpdatedAt = _timeProvider.GetUtcNow(), UpdatedBy = caller };
        RefuseUnknownTicketType(integration, updated);
        RefuseWithoutDays(integration, updated);
        await _upstream.CheckAsync(integration, updated, cancellationToken).ConfigureAwait(false);
        var saved = await _rules.UpdateAsync(current with { Value = updated }, cancellationToken).ConfigureAwait(false);
        LogSaved(_logger, ruleId, integrationId, "updated", caller ?? "an unnamed caller");
        return saved.Value;
    }

    /// <summary>Removes the rule; the assignments it opened stay as they are.</summary>
    public async Task DeleteAsync(string integrationId, string ruleId, string? caller, CallerAccess access, CancellationToken cancellationToken)
    {
        await LoadIntegrationAsync(integrationId, access, cancellationToken, refuseDeleting: false).ConfigureAwait(false);
        var current = await LoadAsync(integrationId, ruleId, cancellationToken).ConfigureAwait(false);
        await _rules.DeleteAsync(current, cancellationToken).ConfigureAwait(false);
        LogSaved(_logger, ruleId, integrationId, "deleted", caller ?? "an unnamed caller");
    }

    /// <summary>Evaluates one rule now, as a sync run would; a dry run only reports what it would open.</summary>
    public async Task<RuleEvaluation> EvaluateAsync(string integrationId, string ruleId, bool dryRun, CallerAccess access, CancellationToken cancellationToken)
    {
        var integration = await LoadIntegrationAsync(integrationId, access, cancellationToken).ConfigureAwait(false);
        var rule = await LoadAsync(integrationId, ruleId, cancellationToken).ConfigureAwait(false);
        return await _evaluator.EvaluateAsync(integration, rule.Value, dryRun, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Versioned<Rule>> LoadAsync(string integrationId, string ruleId, CancellationToken cancellationToken) =>
        await _rules.GetAsync(integrationId, ruleId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Rule", ruleId);

    /// <summary>
    /// Every rule a sync run evaluates costs Defender reads, so an integration's rules are capped (issue 26, item 6). A
    /// cap, not a quota: creates that race may pass it by their number, and a lowered cap removes no rule.
    /// </summary>
    /// <summary>A rule without days of its own takes them from the integration's SLA matrix, which it must then have.</summary>
    private static void RefuseWithoutDays(Integration integration, Rule rule)
    {
        if (rule.RemediationTimeframeDays is null && integration.SlaMatrix is null)
        {
            throw new ValidationException("remediationTimeframeDays", "Is required: the integration has no SLA matrix to take the days from.");
        }
    }

    private async Task RefuseBeyondCapAsync(string integrationId, CancellationToken cancellationToken)
    {
        var cap = _options.Value.MaxPerIntegration;
        if ((await _rules.ListAllAsync(integrationId, cancellationToken).ConfigureAwait(false)).Count >= cap)
        {
            throw new UnprocessableException("integrationId", $"The integration has {cap} rules, the most {RuleOptions.SectionName}:{nameof(RuleOptions.MaxPerIntegration)} allows; delete or merge one first.");
        }
    }

    private async Task<Integration> LoadIntegrationAsync(string id, CallerAccess access, CancellationToken cancellationToken, bool refuseDeleting = true)
    {
        var integration = await _integrations.RequireAsync(id, access, () => new NotFoundException("Integration", id), cancellationToken).ConfigureAwait(false);
        if (refuseDeleting && integration.DeletionStartedAt is not null)
        {
            throw new ConflictException($"Integration '{id}' is being deleted; its rules cannot be changed or evaluated.");
        }

        return integration;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule {RuleId} of integration {IntegrationId} {Change} by {Caller}")]
    private static partial void LogSaved(ILogger logger, string ruleId, string integrationId, string change, string caller);
}
