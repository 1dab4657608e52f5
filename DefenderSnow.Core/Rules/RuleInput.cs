using System.Text.RegularExpressions;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Core.Rules;

/// <summary>Checks of rule request members that need nothing but the request: shapes, ranges, combinations.</summary>
internal static partial class RuleInput
{
    public const int MaxPriority = 10_000;
    public const int MaxAssessmentNames = 100;
    public const int MaxTicketsPerRunLimit = 1_000;
    public const int MaxTagLength = 512;
    public const int MaxRiskFactorLength = 256;

    /// <summary>The rule a request describes: on create from nothing, on update over <paramref name="current"/>.</summary>
    public static Rule? Apply(IntegrationValidation check, RuleRequest request, Rule? current, Func<Rule> create)
    {
        var creating = current is null;
        var name = check.Text("name", request.Name, IntegrationValidation.MaxNameLength, required: creating);
        if (request.Priority is < 1 or > MaxPriority)
        {
            check.Add("priority", $"Must be between 1 and {MaxPriority}.");
        }
        else if (creating && request.Priority is null)
        {
            check.Add("priority", "Is required.");
        }

        var conditions = request.Conditions is null ? (creating ? new RuleConditions() : null) : Conditions(check, request.Conditions);
        string? ticketType = null;
        if (request.TicketType is not null || creating)
        {
            ticketType = AssignmentInput.TicketType(check, request.TicketType);
        }

        RuleOwner? owner = null;
        if (request.Owner is not null || creating)
        {
            owner = Owner(check, request.Owner);
        }

        var caller = AssignmentInput.User(check, "caller", request.Caller, required: creating);
        if (request.RemediationTimeframeDays is < 1 or > AssignmentInput.MaxRemediationDays)
        {
            check.Add("remediationTimeframeDays", $"Must be between 1 and {AssignmentInput.MaxRemediationDays}.");
        }

        var grouping = check.Choice<RuleGrouping>("grouping", request.Grouping);
        if (request.MaxTicketsPerRun is < 1 or > MaxTicketsPerRunLimit)
        {
            check.Add("maxTicketsPerRun", $"Must be between 1 and {MaxTicketsPerRunLimit}.");
        }

        check.ThrowIfInvalid();
        var rule = current ?? create();
        return rule with
        {
            Name = name ?? rule.Name,
            Priority = request.Priority ?? rule.Priority,
            Conditions = conditions ?? rule.Conditions,
            TicketType = ticketType ?? rule.TicketType,
            Owner = owner ?? rule.Owner,
            Caller = caller ?? rule.Caller,
            RemediationTimeframeDays = request.RemediationTimeframeDays ?? rule.RemediationTimeframeDays,
            GracePeriod = request.GracePeriod ?? rule.GracePeriod,
            EmailNotifications = AssignmentInput.Notifications(request.EmailNotifications, rule.EmailNotifications),
            Grouping = grouping ?? rule.Grouping,
            MaxTicketsPerRun = request.MaxTicketsPerRun ?? rule.MaxTicketsPerRun,
        };
    }

    /// <summary>
    /// The finding severities in rising order (as <see cref="AssessmentSeverity"/> declares them); a rule's minimum is one
    /// of them. Read without case, as it always was.
    /// </summary>
    public static int? SeverityRank(string? severity) =>
        ContractNames.TryParseIgnoringCase(severity, out AssessmentSeverity parsed) ? (int)parsed : null;

    /// <summary>The risk levels in rising order (as <see cref="RiskLevel"/> declares them), read without case; null for any other.</summary>
    public static int? RiskRank(string? level) =>
        ContractNames.TryParseIgnoringCase(level, out RiskLevel parsed) ? (int)parsed : null;

    private static RuleConditions Conditions(IntegrationValidation check, RuleConditionsRequest request)
    {
        var names = new List<string>();
        if (request.AssessmentNames is { } given)
        {
            if (given.Count > MaxAssessmentNames)
            {
                check.Add("conditions.assessmentNames", $"Must list at most {MaxAssessmentNames} recommendations.");
            }

            foreach (var (value, index) in given.Select((v, i) => (v, i)))
            {
                var field = $"conditions.assessmentNames[{index}]";
                if (value is null)
                {
                    check.Add(field, "Must not be null.");
                    continue;
                }

                if (check.Capture(() => ResourceIdRules.ValidateName(value.Trim(), field)) is { } valid)
                {
                    names.Add(valid.ToLowerInvariant());
                }
            }
        }

        var severity = request.MinimumSeverity;
        if (severity is not null && SeverityRank(severity) is null)
        {
            check.Add("conditions.minimumSeverity", $"Must be {ContractNames.Choices<AssessmentSeverity>()}.");
        }

        var riskLevel = request.MinimumRiskLevel;
        if (riskLevel is not null && RiskRank(riskLevel) is null)
        {
            check.Add("conditions.minimumRiskLevel", $"Must be {ContractNames.Choices<RiskLevel>()}.");
        }

        var riskFactor = request.RiskFactor is null ? null : check.Text("conditions.riskFactor", request.RiskFactor.Trim(), MaxRiskFactorLength);
        var resourceType = request.ResourceType?.Trim();
        if (resourceType is not null && !ResourceTypePattern().IsMatch(resourceType))
        {
            check.Add("conditions.resourceType", "Must be a resource type such as Microsoft.Compute/virtualMachines.");
        }

        var scope = request.Scope is null ? null : check.Capture(() => ResourceIdRules.ValidateResourceId(request.Scope.Trim().TrimEnd('/'), "conditions.scope"));
        RuleTag? tag = null;
        if (request.Tag is { } t)
        {
            var tagName = check.Text("conditions.tag.name", t.Name, MaxTagLength);
            var tagValue = t.Value is null ? Missing(check, "conditions.tag.value") : t.Value.Length > MaxTagLength ? Invalid<string>(check, "conditions.tag.value", $"Must be at most {MaxTagLength} characters.") : t.Value;
            tag = tagName is null || tagValue is null ? null : new RuleTag(tagName, tagValue);
        }

        return new RuleConditions
        {
            AssessmentNames = names.Distinct(StringComparer.Ordinal).ToList(),
            MinimumSeverity = ContractNames.TryParseIgnoringCase(severity, out AssessmentSeverity minimum) ? minimum.ToContract() : null,
            MinimumRiskLevel = ContractNames.TryParseIgnoringCase(riskLevel, out RiskLevel minimumRisk) ? minimumRisk.ToContract() : null,
            RiskFactor = riskFactor,
            ResourceType = resourceType,
            Scope = scope,
            Tag = tag,
        };
    }

    private static RuleOwner? Owner(IntegrationValidation check, RuleOwnerRequest? request)
    {
        if (request is null)
        {
            check.Add("owner", "Is required.");
            return null;
        }

        if (request.Source is null)
        {
            check.Add("owner.source", $"Is required: {ContractNames.Choices<RuleOwnerSource>()}.");
            return null;
        }

        if (!ContractNames.TryParse(request.Source, out RuleOwnerSource source))
        {
            check.Add("owner.source", $"Must be {ContractNames.Choices<RuleOwnerSource>()}.");
            return null;
        }

        switch (source)
        {
            case RuleOwnerSource.User:
                var user = AssignmentInput.User(check, "owner.user", request.User, required: true);
                RefuseMember(check, "owner.tagName", request.TagName, source);
                RefuseMember(check, "owner.fallbackUser", request.FallbackUser, source);
                return user is null ? null : new RuleOwner(RuleOwnerSource.User, User: user);
            case RuleOwnerSource.ResourceTag:
                var tagName = check.Text("owner.tagName", request.TagName, MaxTagLength);
                var fallback = AssignmentInput.User(check, "owner.fallbackUser", request.FallbackUser, required: true);
                RefuseMember(check, "owner.user", request.User, source);
                return tagName is null || fallback is null ? null : new RuleOwner(RuleOwnerSource.ResourceTag, TagName: tagName, FallbackUser: fallback);
            default:
                throw new ArgumentOutOfRangeException(nameof(request), source, "Unknown owner source.");
        }
    }

    private static void RefuseMember(IntegrationValidation check, string field, string? value, RuleOwnerSource source)
    {
        if (value is not null)
        {
            check.Add(field, $"Does not apply to owner source '{source.ToContract()}'.");
        }
    }

    private static string? Missing(IntegrationValidation check, string field)
    {
        check.Add(field, "Is required.");
        return null;
    }

    private static T? Invalid<T>(IntegrationValidation check, string field, string message)
    {
        check.Add(field, message);
        return default;
    }

    /// <summary>A namespace and one or more type segments: Microsoft.Compute/virtualMachines, Microsoft.Sql/servers/databases.</summary>
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9.]{0,99}(/[A-Za-z][A-Za-z0-9]{0,99}){1,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex ResourceTypePattern();
}
