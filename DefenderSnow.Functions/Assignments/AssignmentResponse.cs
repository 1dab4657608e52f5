using DefenderSnow.Core.Assignments;

namespace DefenderSnow.Functions.Assignments;

/// <summary>The assignment as the contract shows it.</summary>
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
    string Status,
    string? ClosedReason,
    DateTimeOffset? ClosedAt,
    DateTimeOffset CreatedAt,
    string? CreatedBy,
    DateTimeOffset UpdatedAt,
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
        CamelCase(a.Status.ToString()),
        a.ClosedReason is { } reason ? CamelCase(reason.ToString()) : null,
        a.ClosedAt,
        a.CreatedAt,
        a.CreatedBy,
        a.UpdatedAt,
        a.LastSyncedAt,
        a.RuleId,
        a.FollowsTicket);

    private static string CamelCase(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}

public sealed record RecommendationResponse(string? DisplayName, string? Severity);

public sealed record TicketResponse(string Type, string? Number, string? SysId, string? Link, string? State);

public sealed record EmailNotificationsResponse(bool NotifyOwner, bool NotifyManager);
