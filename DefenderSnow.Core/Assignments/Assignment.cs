namespace DefenderSnow.Core.Assignments;

/// <summary>
/// One ServiceNow ticket for one unhealthy resource of one recommendation, mirrored into Defender as a
/// governance assignment.
/// </summary>
public sealed record Assignment
{
    public required string Id { get; init; }

    public required string IntegrationId { get; init; }

    /// <summary>The assessment (recommendation) name, a GUID in Defender.</summary>
    public required string AssessmentName { get; init; }

    /// <summary>The ARM id of the unhealthy resource.</summary>
    public required string ResourceId { get; init; }

    public required TicketReference Ticket { get; init; }

    /// <summary>The owner's e-mail address.</summary>
    public required string AssignedTo { get; init; }

    /// <summary>The owner's ServiceNow user sys_id.</summary>
    public string? AssignedToSysId { get; init; }

    public required string Caller { get; init; }

    public required string ShortDescription { get; init; }

    public required DateTimeOffset DueDate { get; init; }

    public bool GracePeriod { get; init; }

    public EmailNotifications EmailNotifications { get; init; } = new(NotifyOwner: false, NotifyManager: false);

    public AssignmentStatus Status { get; init; } = AssignmentStatus.Pending;

    public ClosedReason? ClosedReason { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? LastSyncedAt { get; init; }

    /// <summary>The key of the finding this assignment covers; at most one live assignment per key.</summary>
    public string FindingKey => Assignments.FindingKey.For(AssessmentName, ResourceId);
}
