using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Storage;
using Microsoft.Extensions.Logging;

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
    private readonly IIntegrationStore _integrations;
    private readonly IDefenderClient _defender;
    private readonly IScopeMembershipFactory _scopes;
    private readonly IServiceNowClientFactory _serviceNow;
    private readonly RuleEvaluator _evaluator;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RuleService> _logger;

    public RuleService(
        IRuleStore rules,
        IIntegrationStore integrations,
        IDefenderClient defender,
        IScopeMembershipFactory scopes,
        IServiceNowClientFactory serviceNow,
        RuleEvaluator evaluator,
        TimeProvider timeProvider,
        ILogger<RuleService> logger)
    {
        _rules = rules;
        _integrations = integrations;
        _defender = defender;
        _scopes = scopes;
        _serviceNow = serviceNow;
        _evaluator = evaluator;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <param name="caller">Who asks, when App Service authentication says; recorded, never trusted for access.</param>
    public async Task<Rule> CreateAsync(string integrationId, RuleRequest request, string? caller, CancellationToken cancellationToken)
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
            RemediationTimeframeDays = 0,
            CreatedAt = now,
            CreatedBy = caller,
            UpdatedAt = now,
            UpdatedBy = caller,
        })!;
        var integration = await LoadIntegrationAsync(integrationId, cancellationToken).ConfigureAwait(false);
        await CheckUpstreamAsync(integration, rule, cancellationToken).ConfigureAwait(false);
        var saved = await _rules.AddAsync(rule, cancellationToken).ConfigureAwait(false);
        LogSaved(_logger, rule.Id, integrationId, "created", caller ?? "an unnamed caller");
        return saved.Value;
    }

    public async Task<Rule> GetAsync(string integrationId, string ruleId, CancellationToken cancellationToken)
    {
        await LoadIntegrationAsync(integrationId, cancellationToken, refuseDeleting: false).ConfigureAwait(false);
        return (await LoadAsync(integrationId, ruleId, cancellationToken).ConfigureAwait(false)).Value;
    }

    public async Task<ResultPage<Rule>> ListAsync(string integrationId, int? pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var size = Paging.Require(pageSize);

        await LoadIntegrationAsync(integrationId, cancellationToken, refuseDeleting: false).ConfigureAwait(false);
        return await _rules.ListAsync(integrationId, size, continuationToken, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Members given replace the rule's; the stored rule must not have changed since it was read (409 otherwise).</summary>
    public async Task<Rule> UpdateAsync(string integrationId, string ruleId, RuleRequest request, string? caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var integration = await LoadIntegrationAsync(integrationId, cancellationToken).ConfigureAwait(false);
        var current = await LoadAsync(integrationId, ruleId, cancellationToken).ConfigureAwait(false);
        var check = new IntegrationValidation();
        if (request == new RuleRequest())
        {
            check.Add("body", "Give at least one member to change.");
            check.ThrowIfInvalid();
        }

        var updated = RuleInput.Apply(check, request, current.Value, () => current.Value)! with { UpdatedAt = _timeProvider.GetUtcNow(), UpdatedBy = caller };
        await CheckUpstreamAsync(integration, updated, cancellationToken).ConfigureAwait(false);
        var saved = await _rules.UpdateAsync(current with { Value = updated }, cancellationToken).ConfigureAwait(false);
        LogSaved(_logger, ruleId, integrationId, "updated", caller ?? "an unnamed caller");
        return saved.Value;
    }

    /// <summary>Removes the rule; the assignments it opened stay as they are.</summary>
    public async Task DeleteAsync(string integrationId, string ruleId, string? caller, CancellationToken cancellationToken)
    {
        await LoadIntegrationAsync(integrationId, cancellationToken, refuseDeleting: false).ConfigureAwait(false);
        var current = await LoadAsync(integrationId, ruleId, cancellationToken).ConfigureAwait(false);
        await _rules.DeleteAsync(current, cancellationToken).ConfigureAwait(false);
        LogSaved(_logger, ruleId, integrationId, "deleted", caller ?? "an unnamed caller");
    }

    /// <summary>Evaluates one rule now, as a sync run would; a dry run only reports what it would open.</summary>
    public async Task<RuleEvaluation> EvaluateAsync(string integrationId, string ruleId, bool dryRun, CancellationToken cancellationToken)
    {
        var integration = await LoadIntegrationAsync(integrationId, cancellationToken).ConfigureAwait(false);
        var rule = await LoadAsync(integrationId, ruleId, cancellationToken).ConfigureAwait(false);
        return await _evaluator.EvaluateAsync(integration, rule.Value, dryRun, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What only Defender and ServiceNow can say: the recommendations exist, the sub-scope lies within the integration's
    /// scope, and the owner, fallback and caller each resolve to one active ServiceNow user (owners with an e-mail,
    /// which Defender needs). An owner e-mail read from a resource tag can only be checked when a ticket is opened.
    /// </summary>
    private async Task CheckUpstreamAsync(Integration integration, Rule rule, CancellationToken cancellationToken)
    {
        var check = new IntegrationValidation();
        if (rule.Conditions.Scope is { } scope
            && !await _scopes.Create().IsCoveredAsync(integration.Scope, scope, cancellationToken).ConfigureAwait(false))
        {
            check.Add("conditions.scope", $"Lies outside the integration's scope ({integration.Scope.Type.ToContract()} {integration.Scope.Id}).");
        }

        // A custom recommendation is known only in its subscription: the rule's sub-scope names one, else the integration's scope.
        var subscription = rule.Conditions.Scope is { } subScope && ResourceIdRules.TryGetSubscriptionId(subScope, out var id) ? id : null;
        foreach (var (name, index) in rule.Conditions.AssessmentNames.Select((n, i) => (n, i)))
        {
            var metadata = subscription is not null
                ? await _defender.FindAssessmentMetadataAsync(name, subscription, cancellationToken).ConfigureAwait(false)
                : await _defender.FindAssessmentMetadataAsync(name, integration.Scope, cancellationToken).ConfigureAwait(false);
            if (metadata is null)
            {
                check.Add($"conditions.assessmentNames[{index}]", "Defender for Cloud has no recommendation with this name.");
            }
        }

        check.ThrowIfInvalid();
        var client = _serviceNow.Create(integration.ToConnection());
        var owner = rule.Owner.Source == RuleOwnerSource.User ? ("owner.user", rule.Owner.User!) : ("owner.fallbackUser", rule.Owner.FallbackUser!);
        var user = await client.ResolveUserAsync(owner.Item2, owner.Item1, cancellationToken).ConfigureAwait(false);
        if (user.Email is null)
        {
            throw new ValidationException(owner.Item1, $"ServiceNow user '{user.UserName}' has no e-mail address, which Defender needs to name the owner.");
        }

        await client.ResolveUserAsync(rule.Caller, "caller", cancellationToken).ConfigureAwait(false);
    }

    private async Task<Versioned<Rule>> LoadAsync(string integrationId, string ruleId, CancellationToken cancellationToken) =>
        await _rules.GetAsync(integrationId, ruleId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Rule", ruleId);

    private async Task<Integration> LoadIntegrationAsync(string id, CancellationToken cancellationToken, bool refuseDeleting = true)
    {
        var integration = (await _integrations.GetAsync(id, cancellationToken).ConfigureAwait(false))?.Value
            ?? throw new NotFoundException("Integration", id);
        if (refuseDeleting && integration.DeletionStartedAt is not null)
        {
            throw new ConflictException($"Integration '{id}' is being deleted; its rules cannot be changed or evaluated.");
        }

        return integration;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule {RuleId} of integration {IntegrationId} {Change} by {Caller}")]
    private static partial void LogSaved(ILogger logger, string ruleId, string integrationId, string change, string caller);
}
