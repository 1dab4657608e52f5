namespace DefenderSnow.Core.Defender;

/// <summary>
/// What Defender for Cloud records about who remediates a recommendation on a resource, and by when
/// (the <c>properties</c> of <c>Microsoft.Security/assessments/governanceAssignments</c>).
/// </summary>
public sealed record GovernanceAssignment
{
    /// <summary>The owner's e-mail address.</summary>
    public string? Owner { get; init; }

    /// <summary>The only property Resource Manager requires.</summary>
    public required DateTimeOffset RemediationDueDate { get; init; }

    public RemediationEta? RemediationEta { get; init; }

    public bool? IsGracePeriod { get; init; }

    public GovernanceEmailNotification? GovernanceEmailNotification { get; init; }

    public GovernanceAssignmentAdditionalData? AdditionalData { get; init; }
}

/// <summary>A changed remediation date and why; Resource Manager requires both parts.</summary>
public sealed record RemediationEta(DateTimeOffset Eta, string Justification);

public sealed record GovernanceEmailNotification(bool DisableManagerEmailNotification, bool DisableOwnerEmailNotification);

/// <summary>The ticket behind the assignment. <see cref="TicketNumber"/> is the ticket's numeric part (see <see cref="Defender.TicketNumber"/>).</summary>
public sealed record GovernanceAssignmentAdditionalData(int? TicketNumber, string? TicketLink, string? TicketStatus);

/// <summary>
/// A governance assignment as Resource Manager stores it: its full ARM id, its key (the resource's
/// <c>name</c>) and its properties.
/// </summary>
public sealed record GovernanceAssignmentResource(string Id, string AssignmentKey, GovernanceAssignment Properties);
