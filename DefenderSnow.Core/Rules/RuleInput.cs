using System.Text.RegularExpressions;
using DefenderSnow.Core.Assignments;
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
            ticketType = AssignmentInput.TicketType(check, request.TicketType)?.Name;
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
        else if (creating && request.RemediationTimeframeDays is null)
        {
            check.Add("remediationTimeframeDays", "Is required.");
        }

        RuleGrouping? grouping = request.Grouping switch
        {
            null => null,
            "perResource" => RuleGrouping.PerResource,
            "perRecommendation" => RuleGrouping.PerRecommendation,
            _ => Invalid<RuleGrouping?>(check, "grouping", "Must be 'perResource' or 'perRecommendation'."),
        };
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

    /// <summary>The finding severities in rising order; a rule's minimum is one of them.</summary>
    public static int? SeverityRank(string? severity) => severity?.ToUpperInvariant() switch
    {
        "LOW" => 0,
        "MEDIUM" => 1,
        "HIGH" => 2,
        _ => null,
    };

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
            check.Add("conditions.minimumSeverity", "Must be Low, Medium or High.");
        }

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
            MinimumSeverity = SeverityRank(severity) is { } rank ? ((AssessmentSeverity)rank).ToString() : null,
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

        switch (request.Source)
        {
            case "user":
                var user = AssignmentInput.User(check, "owner.user", request.User, required: true);
                RefuseMember(check, "owner.tagName", request.TagName, "user");
                RefuseMember(check, "owner.fallbackUser", request.FallbackUser, "user");
                return user is null ? null : new RuleOwner(RuleOwnerSource.User, User: user);
            case "resourceTag":
                var tagName = check.Text("owner.tagName", request.TagName, MaxTagLength);
                var fallback = AssignmentInput.User(check, "owner.fallbackUser", request.FallbackUser, required: true);
                RefuseMember(check, "owner.user", request.User, "resourceTag");
                return tagName is null || fallback is null ? null : new RuleOwner(RuleOwnerSource.ResourceTag, TagName: tagName, FallbackUser: fallback);
            case null:
                check.Add("owner.source", "Is required: 'user' or 'resourceTag'.");
                return null;
            default:
                check.Add("owner.source", "Must be 'user' or 'resourceTag'.");
                return null;
        }
    }

    private static void RefuseMember(IntegrationValidation check, string field, string? value, string source)
    {
        if (value is not null)
        {
            check.Add(field, $"Does not apply to owner source '{source}'.");
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
