using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Core.Assignments;

/// <summary>
/// A create request that has passed validation: its checked values, the integration it names (known, not being
/// deleted, allowing the fields asked for), and who asks. <see cref="Now"/> is the one instant the whole creation uses,
/// so the due date, the claim and the timestamps agree.
/// </summary>
/// <param name="Caller">Who asks, when App Service authentication says; recorded, never trusted for access.</param>
/// <param name="Origin">The rule that asks, when a rule does; <c>null</c> for a request.</param>
/// <param name="DueDate">The request's own due date (from its date or days); <c>null</c> to take it from the integration's SLA matrix.</param>
/// <param name="CallerUser">The ServiceNow user the ticket names as its caller (the request's <c>caller</c>).</param>
internal sealed record AssignmentCreationInput(
    CreateAssignmentRequest Request,
    string? Caller,
    AssignmentOrigin? Origin,
    Integration Integration,
    string AssessmentName,
    string ResourceId,
    ServiceNowTicketTable Table,
    string AssignedTo,
    string CallerUser,
    string? ShortDescription,
    string? Description,
    string? AssignmentGroup,
    DateTimeOffset? DueDate,
    DateTimeOffset Now);
