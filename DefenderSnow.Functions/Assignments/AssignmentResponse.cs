using DefenderSnow.Core.Assignments;

namespace DefenderSnow.Functions.Assignments;

/// <summary>The assignment as the contract shows it; enums by their contract names (<see cref="Http.ApiJson"/>).</summary>
public sealed record AssignmentResponse(
    string Id,
    string IntegrationId,
    string AssessmentName,
    string ResourceId,
    RecommendationResponse? Recommendation,
    TicketResponse Ticket,
    string AssignedTo,
    string Caller,
    string ShortDescription,
    DateTimeOffset DueDate,
    bool GracePeriod,
    EmailNotificationsResponse EmailNotifications,
    AssignmentStatus Status,
    ClosedReason? ClosedReason,
    DateTimeOffset? ClosedAt,
    DateTimeOffset CreatedAt,
    string? CreatedBy,
    DateTimeOffset UpdatedAt,
    string? UpdatedBy,
    string? DeletedBy,
    DateTimeOffset? LastSyncedAt,
    string? RuleId,
    string? FollowsTicket)
{
    public static AssignmentResponse From(Assignment a) => new(
        a.Id,
        a.IntegrationId,
        a.AssessmentName,
        a.ResourceId,
        a.Recommendation is null ? null : new RecommendationResponse(a.Recommendation.DisplayName, a.Recommendation.Severity),
        new TicketResponse(a.Ticket.Table, a.Ticket.Number, a.Ticket.SysId, a.Ticket.Link, a.Ticket.State),
        a.AssignedTo,
        a.Caller,
        a.ShortDescription,
        a.DueDate,
        a.GracePeriod,
        new EmailNotificationsResponse(a.EmailNotifications.NotifyOwner, a.EmailNotifications.NotifyManager),
        a.Status,
        a.ClosedReason,
        a.ClosedAt,
        a.CreatedAt,
        a.CreatedBy,
        a.UpdatedAt,
        a.UpdatedBy,
        a.DeletedBy,
        a.LastSyncedAt,
        a.RuleId,
        a.FollowsTicket);
}

public sealed record RecommendationResponse(string? DisplayName, string? Severity);

public sealed record TicketResponse(string Type, string? Number, string? SysId, string? Link, string? State);

public sealed record EmailNotificationsResponse(bool NotifyOwner, bool NotifyManager);
