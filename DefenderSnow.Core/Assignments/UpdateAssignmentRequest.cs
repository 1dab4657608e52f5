namespace DefenderSnow.Core.Assignments;

/// <summary>The body of UpdateAssignment: members left out stay as they are.</summary>
public sealed record UpdateAssignmentRequest(
    string? AssignedTo = null,
    DateTimeOffset? DueDate = null,
    int? RemediationTimeframeDays = null,
    bool? GracePeriod = null,
    EmailNotificationsRequest? EmailNotifications = null);
