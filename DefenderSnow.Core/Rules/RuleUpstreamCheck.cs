using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Core.Rules;

/// <summary>The checks of a rule that only Defender and ServiceNow can answer, kept apart so the service stays small.</summary>
public sealed class RuleUpstreamCheck
{
    private readonly IDefenderClient _defender;
    private readonly IScopeMembershipFactory _scopes;
    private readonly IServiceNowClientFactory _serviceNow;

    public RuleUpstreamCheck(IDefenderClient defender, IScopeMembershipFactory scopes, IServiceNowClientFactory serviceNow)
    {
        _defender = defender;
        _scopes = scopes;
        _serviceNow = serviceNow;
    }

    /// <summary>
    /// What only Defender and ServiceNow can say: the recommendations exist, the sub-scope lies within the integration's
    /// scope, and the owner, fallback and caller each resolve to one active ServiceNow user (owners with an e-mail,
    /// which Defender needs). An owner e-mail read from a resource tag can only be checked when a ticket is opened.
    /// </summary>
    public async Task CheckAsync(Integration integration, Rule rule, CancellationToken cancellationToken)
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
}
