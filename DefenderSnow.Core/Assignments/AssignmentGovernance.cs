using DefenderSnow.Core.Defender;

namespace DefenderSnow.Core.Assignments;

/// <summary>The Defender governance assignment that mirrors an assignment; creation and updates write the same shape.</summary>
internal static class AssignmentGovernance
{
    public static GovernanceAssignment ToGovernance(Assignment assignment) => new()
    {
        Owner = assignment.AssignedTo,
        RemediationDueDate = assignment.DueDate,
        IsGracePeriod = assignment.GracePeriod,
        GovernanceEmailNotification = new GovernanceEmailNotification(
            DisableManagerEmailNotification: !assignment.EmailNotifications.NotifyManager,
            DisableOwnerEmailNotification: !assignment.EmailNotifications.NotifyOwner),
        AdditionalData = new GovernanceAssignmentAdditionalData(
            TicketNumber.TryToGovernanceNumber(assignment.Ticket.Number, out var number) ? number : null,
            assignment.Ticket.Link,
            assignment.Ticket.State),
    };
}
