using DefenderSnow.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Functions.TicketEvents;

/// <summary>
/// The ticket-event route of the previous version, kept for this one version so that a ServiceNow instance still
/// pointed at it is told where events go now. It does no work and reads nothing: 410 Gone, not a redirect, because
/// the business rule sends with <c>RESTMessageV2.executeAsync</c> and never reads the answer, and no ServiceNow
/// documentation says that an outbound REST message follows a redirected POST; a 410 in the instance's outbound
/// HTTP log is a failure someone fixes, a followed redirect would hide the old URL until the route is gone.
/// </summary>
public sealed class RetiredTicketEventRoute
{
    public const string FunctionName = "TicketEventRouteMoved";

    /// <summary>
    /// Anonymous and outside App Service authentication's exclusions on purpose: in Azure an unauthenticated caller
    /// gets App Service authentication's 401 first; the 410 is what every host without it in front answers.
    /// </summary>
    [Function(FunctionName)]
    public static Task<IActionResult> Moved(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = TicketEventRoutes.Retired)] HttpRequest request,
        string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = TicketEventRoutes.EventsPath(id);
        return Task.FromResult<IActionResult>(new JsonResponse(
            StatusCodes.Status410Gone,
            new RouteMovedProblem(
                "https://httpstatuses.io/410",
                "Ticket events moved",
                StatusCodes.Status410Gone,
                $"Ticket events are received at {path} now; set the ServiceNow property defendersnow.ticket_events.url to it. This route answers only this until the next version removes it.",
                path),
            Problem.ContentType));
    }
}

/// <summary>RFC 9457 problem details with one extension member: where the events go now.</summary>
public sealed record RouteMovedProblem(string Type, string Title, int Status, string Detail, string NewPath);
