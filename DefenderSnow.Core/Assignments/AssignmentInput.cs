using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Core.Assignments;

/// <summary>Checks of assignment request members that need nothing but the request and the clock.</summary>
internal static class AssignmentInput
{
    public const int MaxRemediationDays = 365;
    public const int MaxDueDateYears = 5;
    public const int MaxUserLength = 100;

    /// <summary>The request's own ServiceNow field names for the optional members, in the order the contract lists them.</summary>
    public static readonly IReadOnlyList<(string Member, string Field)> OptionalFields =
    [
        ("description", "description"), ("assignmentGroup", "assignment_group"), ("impact", "impact"), ("urgency", "urgency"),
    ];

    /// <summary>
    /// An e-mail address or user name. '^' would change ServiceNow's query; ',' and '=' are how a value smuggles a second
    /// value or condition into one, so none of them can be part of a user we look up.
    /// </summary>
    public static string? User(IntegrationValidation check, string field, string? value, bool required)
    {
        var text = check.Text(field, value, MaxUserLength, required);
        if (text is not null && text.IndexOfAny(['^', ',', '=']) >= 0)
        {
            check.Add(field, "Must not contain '^', ',' or '='.");
        }

        return text;
    }

    /// <summary>Several lines are fine in a description; other control characters are not.</summary>
    public static string? Description(IntegrationValidation check, string? value)
    {
        if (value is null)
        {
            return null;
        }

        var text = value.Trim();
        if (text.Length == 0)
        {
            check.Add("description", "Must not be empty.");
        }
        else if (text.Length > TicketComposer.DescriptionLength)
        {
            check.Add("description", $"Must be at most {TicketComposer.DescriptionLength} characters.");
        }
        else if (text.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
        {
            check.Add("description", "Must not contain control characters other than line breaks and tabs.");
        }

        return text;
    }

    public static string? AssessmentName(IntegrationValidation check, string? value)
    {
        if (value is null)
        {
            check.Add("assessmentName", "Is required.");
            return null;
        }

        return check.Capture(() => ResourceIdRules.ValidateName(value.Trim(), "assessmentName"));
    }

    public static string? ResourceId(IntegrationValidation check, string? value)
    {
        if (value is null)
        {
            check.Add("resourceId", "Is required.");
            return null;
        }

        return check.Capture(() => ResourceIdRules.ValidateResourceId(value.Trim().TrimEnd('/')));
    }

    /// <summary>The name of a ticket table; whether the integration uses it is <see cref="TicketTable"/>'s to say.</summary>
    public static string? TicketType(IntegrationValidation check, string? value)
    {
        if (value is null)
        {
            check.Add("ticketType", "Is required.");
            return null;
        }

        if (value.Length is 0 or > 80 || !value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            check.Add("ticketType", "Must be the name of one of the integration's ticket tables (incident, problem, change_request, or those its ticketTypes name).");
            return null;
        }

        return value;
    }

    /// <summary>The integration's ticket table named <paramref name="value"/>, as its instance defines it.</summary>
    public static ServiceNowTicketTable? TicketTable(IntegrationValidation check, Integration integration, string value)
    {
        var catalog = integration.ToConnection().Catalog;
        if (!catalog.TryGet(value, out var table))
        {
            check.Add("ticketType", $"Must be one of the integration's ticket types: {catalog.Names}.");
        }

        return table;
    }

    /// <summary>Exactly one of the two, or (when <paramref name="required"/> is false) neither.</summary>
    public static DateTimeOffset? DueDate(IntegrationValidation check, int? days, DateTimeOffset? dueDate, DateTimeOffset now, bool required)
    {
        if (days is not null && dueDate is not null)
        {
            check.Add("dueDate", "Give either remediationTimeframeDays or dueDate, not both.");
            check.Add("remediationTimeframeDays", "Give either remediationTimeframeDays or dueDate, not both.");
            return null;
        }

        if (days is { } d)
        {
            if (d is < 1 or > MaxRemediationDays)
            {
                check.Add("remediationTimeframeDays", $"Must be between 1 and {MaxRemediationDays}.");
                return null;
            }

            return now.AddDays(d);
        }

        if (dueDate is { } date)
        {
            if (date <= now)
            {
                check.Add("dueDate", "Must be in the future.");
                return null;
            }

            if (date > now.AddYears(MaxDueDateYears))
            {
                check.Add("dueDate", $"Must be at most {MaxDueDateYears} years ahead.");
                return null;
            }

            return date.ToUniversalTime();
        }

        if (required)
        {
            check.Add("remediationTimeframeDays", "Give either remediationTimeframeDays (1-365) or dueDate.");
        }

        return null;
    }

    public static void Level(IntegrationValidation check, string field, int? value)
    {
        if (value is < 1 or > 3)
        {
            check.Add(field, "Must be 1 (High), 2 (Medium) or 3 (Low).");
        }
    }

    public static EmailNotifications Notifications(EmailNotificationsRequest? request, EmailNotifications current) =>
        request is null ? current : new EmailNotifications(request.NotifyOwner ?? current.NotifyOwner, request.NotifyManager ?? current.NotifyManager);

    /// <summary>
    /// The optional members the request sets must be fields the integration fills in for that ticket type; in Customized
    /// mode the short description is the caller's to write, so it is required.
    /// </summary>
    public static void FieldsAllowed(IntegrationValidation check, Integration integration, ServiceNowTicketTable table, CreateAssignmentRequest request)
    {
        var allowed = integration.Fields.For(table.Name);
        foreach (var (member, field) in OptionalFields)
        {
            var given = member switch
            {
                "description" => request.Description is not null,
                "assignmentGroup" => request.AssignmentGroup is not null,
                "impact" => request.Impact is not null,
                _ => request.Urgency is not null,
            };
            if (given && !allowed.Contains(field))
            {
                check.Add(member, $"The integration does not fill in '{field}' on {table.Name} tickets; it allows {(allowed.Count == 0 ? "none" : string.Join(", ", allowed))}.");
            }
        }

        if (integration.FieldMode == FieldMode.Customized && request.ShortDescription is null)
        {
            check.Add("shortDescription", "Is required: the integration is in Customized mode.");
        }
    }
}
