using System.Text;
using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Core.Assignments;

/// <summary>Writes a ticket's texts from Defender's recommendation, in the lengths ServiceNow keeps.</summary>
internal static class TicketComposer
{
    /// <summary>ServiceNow silently cuts longer values (the default field lengths), so we cut first, where we choose.</summary>
    public const int ShortDescriptionLength = 160;

    public const int DescriptionLength = 4000;

    public static string ShortDescription(string? recommendation, string resourceId)
    {
        var resourceName = resourceId.TrimEnd('/')[(resourceId.TrimEnd('/').LastIndexOf('/') + 1)..];
        return CutOnWord($"{recommendation ?? "Defender for Cloud recommendation"} on {resourceName}", ShortDescriptionLength);
    }

    public static string Description(AssessmentMetadata metadata, Assessment assessment, string resourceId)
    {
        var text = new StringBuilder();
        text.Append("Defender for Cloud recommendation: ").AppendLine(metadata.DisplayName ?? assessment.DisplayName ?? metadata.Name);
        text.Append("Severity: ").AppendLine(metadata.SeverityName ?? "unknown");
        if (RiskLine(assessment.Risk) is { } risk)
        {
            text.AppendLine(risk);
        }

        text.Append("Resource: ").AppendLine(resourceId);
        text.Append("Defender portal: ").AppendLine(PortalLink(assessment));
        AppendSection(text, "Description", metadata.Description);
        AppendSection(text, "Remediation steps", metadata.RemediationDescription);
        return CutOnWord(text.ToString().TrimEnd(), DescriptionLength);
    }

    /// <summary>
    /// The ServiceNow fields of a new ticket: short description, assignee and caller always; the optional fields the
    /// integration lists for the table, from the request, or (in Default mode) composed from the recommendation.
    /// </summary>
    public static Dictionary<string, string> Fields(
        Integration integration,
        ServiceNowTicketTable table,
        CreateAssignmentRequest request,
        AssessmentMetadata metadata,
        Assessment assessment,
        string resourceId,
        string? shortDescription,
        string? description,
        ServiceNowUser owner,
        ServiceNowUser opener,
        ServiceNowGroup? group)
    {
        var allowed = integration.Fields.For(table.Name);
        var composing = integration.FieldMode == FieldMode.Default;
        var fields = new Dictionary<string, string>
        {
            ["short_description"] = shortDescription ?? ShortDescription(metadata.DisplayName ?? assessment.DisplayName, resourceId),
            ["assigned_to"] = owner.SysId,
            [table.CallerField] = opener.SysId,
        };
        if (allowed.Contains("description") && (description ?? (composing ? Description(metadata, assessment, resourceId) : null)) is { } text)
        {
            fields["description"] = text;
        }

        var composed = integration.TicketPriorities.For(metadata.SeverityName);
        foreach (var (field, given, level) in new[] { ("impact", request.Impact, composed.Impact), ("urgency", request.Urgency, composed.Urgency) })
        {
            if (allowed.Contains(field) && (given ?? (composing ? level : null)) is { } value)
            {
                fields[field] = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        if (group is not null)
        {
            fields["assignment_group"] = group.SysId;
        }

        return fields;
    }

    /// <summary>The first line of a ticket opened again for a finding that came back after its earlier ticket was closed.</summary>
    public static string FollowsLine(string previousTicket) =>
        $"The finding is unhealthy again: it had ticket {previousTicket}, whose assignment was closed before.";

    /// <summary>The short description of a ticket shared by the resources of one recommendation.</summary>
    public static string GroupShortDescription(string? recommendation, int resources) =>
        CutOnWord($"{recommendation ?? "Defender for Cloud recommendation"} on {resources} resource{(resources == 1 ? string.Empty : "s")}", ShortDescriptionLength);

    /// <summary>
    /// The description of a ticket shared by the resources of one recommendation: the severity, the highest of the
    /// resources' risk levels (Defender computes risk per resource), then each resource on a line with its own risk level
    /// and the ticket it had before when it is unhealthy again; cut (on a line) to what ServiceNow keeps.
    /// </summary>
    public static string GroupDescription(
        string? recommendation, string? severity, IReadOnlyList<(string ResourceId, AssessmentRisk? Risk, string? FollowsTicket)> resources)
    {
        var text = new StringBuilder();
        text.Append("Defender for Cloud recommendation: ").AppendLine(recommendation ?? "unknown");
        text.Append("Severity: ").AppendLine(severity ?? "unknown");
        if (HighestRiskLevel(resources.Select(r => r.Risk?.Level)) is { } highest)
        {
            text.Append("Risk level: ").Append(highest).AppendLine(" (the highest of the resources)");
        }

        text.Append("Unhealthy resources (").Append(resources.Count).AppendLine("), each with its own governance assignment in Defender:");
        foreach (var (resourceId, risk, follows) in resources)
        {
            var notes = new List<string>();
            if (risk?.Level is { } level)
            {
                notes.Add($"risk level {level}");
            }

            if (follows is not null)
            {
                notes.Add($"unhealthy again; it had ticket {follows}");
            }

            var line = notes.Count == 0 ? $"- {resourceId}" : $"- {resourceId} ({string.Join("; ", notes)})";
            if (text.Length + line.Length + 2 > DescriptionLength)
            {
                break;
            }

            text.AppendLine(line);
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>
    /// The highest level Defender gave (Low &lt; Medium &lt; High &lt; Critical); a level DefenderSnow does not know ranks
    /// above them all, as an unknown severity does, so it is never hidden behind a lower one. Null when none gave one.
    /// </summary>
    private static string? HighestRiskLevel(IEnumerable<string?> levels) =>
        levels.OfType<string>()
            .OrderByDescending(l => ContractNames.TryParseIgnoringCase(l, out RiskLevel parsed) ? (int)parsed : int.MaxValue)
            .FirstOrDefault();

    /// <summary>
    /// Defender's risk of the finding in a line (<c>Risk level: Critical (Exposure to the Internet, Sensitive Data; 2 attack
    /// paths)</c>), or null when Defender gave none (api-versions before 2025-05-04, or no risk computed).
    /// </summary>
    public static string? RiskLine(AssessmentRisk? risk)
    {
        if (risk is null || (risk.Level is null && risk.Factors.Count == 0 && risk.AttackPaths == 0))
        {
            return null;
        }

        var details = new List<string>();
        if (risk.Factors.Count > 0)
        {
            details.Add(string.Join(", ", risk.Factors));
        }

        if (risk.AttackPaths > 0)
        {
            details.Add($"{risk.AttackPaths} attack path{(risk.AttackPaths == 1 ? string.Empty : "s")}");
        }

        return $"Risk level: {risk.Level ?? "unknown"}{(details.Count > 0 ? $" ({string.Join("; ", details)})" : string.Empty)}";
    }

    /// <summary>The recommendation's page in the portal: the link Defender returned, or the recommendation blade by key.</summary>
    public static string PortalLink(Assessment assessment) =>
        assessment.AzurePortalUri
        ?? $"https://portal.azure.com/#view/Microsoft_Azure_Security/GenericRecommendationDetailsBlade/assessmentKey/{assessment.Name}";

    /// <summary>At most <paramref name="length"/> characters, ending at a word boundary with an ellipsis when cut.</summary>
    public static string CutOnWord(string value, int length)
    {
        if (value.Length <= length)
        {
            return value;
        }

        var room = value[..(length - 1)];
        var space = room.LastIndexOfAny([' ', '\n', '\t']);
        // A single word longer than half the room is cut where it must be, rather than leaving almost nothing.
        var cut = space > length / 2 ? room[..space] : room;
        return cut.TrimEnd() + "…";
    }

    private static void AppendSection(StringBuilder text, string title, string? html)
    {
        var body = HtmlText.ToText(html);
        if (body.Length > 0)
        {
            text.AppendLine().Append(title).AppendLine(":").AppendLine(body);
        }
    }
}
