using System.Globalization;
using System.Text.Json.Nodes;

namespace DefenderSnow.Simulators.Defender;

/// <summary>A governance assignment the simulator holds, as it was accepted (dates normalised to UTC).</summary>
public sealed record StoredGovernanceAssignment(string ResourceId, string AssessmentName, string AssignmentKey, JsonObject Properties)
{
    public string Id => $"{ResourceId}/providers/Microsoft.Security/assessments/{AssessmentName}/governanceAssignments/{AssignmentKey}";

    public string? Owner => Properties["owner"]?.GetValue<string>();

    public DateTimeOffset RemediationDueDate =>
        DateTimeOffset.Parse(Properties["remediationDueDate"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    public bool? IsGracePeriod => Properties["isGracePeriod"]?.GetValue<bool>();

    public int? TicketNumber => Properties["additionalData"]?["ticketNumber"]?.GetValue<int>();

    public string? TicketLink => Properties["additionalData"]?["ticketLink"]?.GetValue<string>();

    public string? TicketStatus => Properties["additionalData"]?["ticketStatus"]?.GetValue<string>();
}
