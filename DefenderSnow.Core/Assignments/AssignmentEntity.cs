using Azure;
using Azure.Data.Tables;

namespace DefenderSnow.Core.Assignments;

/// <summary>The row of an assignment: partition = integration id, row key = assignment id.</summary>
internal sealed class AssignmentEntity : ITableEntity
{
    public const string KindValue = "assignment";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Kind { get; set; } = KindValue;

    public string AssessmentName { get; set; } = string.Empty;

    public string ResourceId { get; set; } = string.Empty;

    public string? RecommendationDisplayName { get; set; }

    public string? RecommendationSeverity { get; set; }

    public string TicketTable { get; set; } = string.Empty;

    public string? TicketNumber { get; set; }

    public string? TicketSysId { get; set; }

    public string? TicketLink { get; set; }

    public string? TicketState { get; set; }

    public string AssignedTo { get; set; } = string.Empty;

    public string? AssignedToSysId { get; set; }

    public string Caller { get; set; } = string.Empty;

    public string ShortDescription { get; set; } = string.Empty;

    public DateTimeOffset DueDate { get; set; }

    public bool GracePeriod { get; set; }

    public bool NotifyOwner { get; set; }

    public bool NotifyManager { get; set; }

    public string Status { get; set; } = string.Empty;

    public string? ClosedReason { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? Closing { get; set; }

    public DateTimeOffset? ClaimedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }

    public string? DeletedBy { get; set; }

    public DateTimeOffset? LastSyncedAt { get; set; }

    public string? RuleId { get; set; }

    public string? FollowsTicket { get; set; }

    public string? GroupId { get; set; }

    public static AssignmentEntity From(Assignment a) => new()
    {
        PartitionKey = a.IntegrationId,
        RowKey = a.Id,
        AssessmentName = a.AssessmentName,
        ResourceId = a.ResourceId,
        RecommendationDisplayName = a.Recommendation?.DisplayName,
        RecommendationSeverity = a.Recommendation?.Severity,
        TicketTable = a.Ticket.Table,
        TicketNumber = a.Ticket.Number,
        TicketSysId = a.Ticket.SysId,
        TicketLink = a.Ticket.Link,
        TicketState = a.Ticket.State,
        AssignedTo = a.AssignedTo,
        AssignedToSysId = a.AssignedToSysId,
        Caller = a.Caller,
        ShortDescription = a.ShortDescription,
        DueDate = a.DueDate,
        GracePeriod = a.GracePeriod,
        NotifyOwner = a.EmailNotifications.NotifyOwner,
        NotifyManager = a.EmailNotifications.NotifyManager,
        Status = a.Status.ToString(),
        ClosedReason = a.ClosedReason?.ToString(),
        ClosedAt = a.ClosedAt,
        Closing = a.Closing?.ToString(),
        ClaimedUntil = a.ClaimedUntil,
        CreatedAt = a.CreatedAt,
        CreatedBy = a.CreatedBy,
        UpdatedAt = a.UpdatedAt,
        UpdatedBy = a.UpdatedBy,
        DeletedBy = a.DeletedBy,
        LastSyncedAt = a.LastSyncedAt,
        RuleId = a.RuleId,
        FollowsTicket = a.FollowsTicket,
        GroupId = a.GroupId,
    };

    public Assignment ToModel() => new()
    {
        Id = RowKey,
        IntegrationId = PartitionKey,
        AssessmentName = AssessmentName,
        ResourceId = ResourceId,
        Recommendation = RecommendationDisplayName is null && RecommendationSeverity is null ? null : new Recommendation(RecommendationDisplayName, RecommendationSeverity),
        Ticket = new TicketReference(TicketTable, TicketNumber, TicketSysId, TicketLink, TicketState),
        AssignedTo = AssignedTo,
        AssignedToSysId = AssignedToSysId,
        Caller = Caller,
        ShortDescription = ShortDescription,
        DueDate = DueDate,
        GracePeriod = GracePeriod,
        EmailNotifications = new EmailNotifications(NotifyOwner, NotifyManager),
        Status = Enum.Parse<AssignmentStatus>(Status),
        ClosedReason = ClosedReason is null ? null : Enum.Parse<ClosedReason>(ClosedReason),
        ClosedAt = ClosedAt,
        Closing = Closing is null ? null : Enum.Parse<ClosedReason>(Closing),
        ClaimedUntil = ClaimedUntil,
        CreatedAt = CreatedAt,
        CreatedBy = CreatedBy,
        UpdatedAt = UpdatedAt,
        UpdatedBy = UpdatedBy,
        DeletedBy = DeletedBy,
        LastSyncedAt = LastSyncedAt,
        RuleId = RuleId,
        FollowsTicket = FollowsTicket,
        GroupId = GroupId,
    };
}
