namespace DefenderSnow.Core.Assignments;

/// <summary>
/// The body of CreateAssignment, as received: everything nullable, so that validation can name every
/// missing or wrong field at once.
/// </summary>
public sealed record CreateAssignmentRequest(
    string? IntegrationId,
    string? AssessmentName,
    string? ResourceId,
    string? TicketType,
    string? AssignedTo,
    string? Caller,
    string? ShortDescription = null,
    string? Description = null,
    string? AssignmentGroup = null,
    int? Impact = null,
    int? Urgency = null,
    int? RemediationTimeframeDays = null,
    DateTimeOffset? DueDate = null,
    bool? GracePeriod = null,
    EmailNotificationsRequest? EmailNotifications = null);

/// <summary>Members left out keep their value (on create: notify the owner, not the manager).</summary>
public sealed record EmailNotificationsRequest(bool? NotifyOwner = null, bool? NotifyManager = null);
