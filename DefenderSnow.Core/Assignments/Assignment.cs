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

    /// <summary>What the recommendation is called and how severe Defender rates it, as read when the assignment was made.</summary>
    public Recommendation? Recommendation { get; init; }

    public required TicketReference Ticket { get; init; }

    /// <summary>The owner's e-mail address, the owner Defender shows.</summary>
    public required string AssignedTo { get; init; }

    /// <summary>The sys_id of the owner as resolved in ServiceNow (the ticket's <c>assigned_to</c>).</summary>
    public string? AssignedToSysId { get; init; }

    public required string Caller { get; init; }

    public required string ShortDescription { get; init; }

    public required DateTimeOffset DueDate { get; init; }

    public bool GracePeriod { get; init; }

    public EmailNotifications EmailNotifications { get; init; } = new(NotifyOwner: false, NotifyManager: false);

    public AssignmentStatus Status { get; init; } = AssignmentStatus.Pending;

    public ClosedReason? ClosedReason { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>
    /// Set by sync, before it writes to the ticket, when Defender reported the finding fixed or gone: the closing that
    /// began. A run that finds it set finishes the closing without writing to the ticket again (at most one note).
    /// </summary>
    public ClosedReason? Closing { get; init; }

    /// <summary>
    /// While pending: until when the request that creates it holds it. Another request for the same finding leaves a
    /// held assignment alone (so parallel requests open one ticket) and completes one whose hold has lapsed (a crash).
    /// </summary>
    public DateTimeOffset? ClaimedUntil { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The caller that created it, when App Service authentication names one.</summary>
    public string? CreatedBy { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Who made the last change: the caller for a change through the API, <see cref="Hosting.ChangeActor.System"/> for sync's.</summary>
    public string? UpdatedBy { get; init; }

    /// <summary>The caller that deleted it through the API (it is then closed as <see cref="ClosedReason.Deleted"/>).</summary>
    public string? DeletedBy { get; init; }

    public DateTimeOffset? LastSyncedAt { get; init; }

    /// <summary>The automation rule that opened it; <c>null</c> when a caller did.</summary>
    public string? RuleId { get; init; }

    /// <summary>The ticket number of the finding's previous assignment, closed before this one was opened.</summary>
    public string? FollowsTicket { get; init; }

    /// <summary>
    /// Set when the assignment shares its ticket with others (a rule grouping per recommendation): the ticket's
    /// <c>correlation_id</c>, the same for every member. Each member keeps its own governance assignment.
    /// </summary>
    public string? GroupId { get; init; }

    /// <summary>What the ticket's <c>correlation_id</c> carries: the group's id for a shared ticket, else the assignment's.</summary>
    public string CorrelationId => GroupId ?? Id;

    /// <summary>The key of the finding this assignment covers; at most one live assignment per key.</summary>
    public string FindingKey => Assignments.FindingKey.For(AssessmentName, ResourceId);
}
