using DefenderSnow.Functions.TicketEvents;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.TicketEvents;

/// <summary>The previous version's ticket-event route answers 410 naming the new one, and does nothing else.</summary>
public sealed class RetiredTicketEventRouteTests
{
    [Test]
    public async Task A_ticket_event_at_the_retired_route_is_answered_410_naming_the_new_path()
    {
        using var services = new ServiceCollection().BuildServiceProvider();
        var function = HttpFunctionCatalog.Get(RetiredTicketEventRoute.FunctionName);

        var response = await HttpFunctionCatalog.InvokeAsync(services, function, ["3f2a9c"], body: "{\"table\":\"incident\"}");

        Assert.Multiple(() =>
        {
            Assert.That((function.Method, function.Route), Is.EqualTo(("POST", "integrations/{id}/ticket-events")), "the route of the previous version");
            Assert.That(response.Status, Is.EqualTo(410), response.ToString());
            Assert.That(response.ContentType, Does.StartWith("application/problem+json"));
            Assert.That(response.Json["newPath"]!.GetValue<string>(), Is.EqualTo("/api/ticket-events/3f2a9c"));
            Assert.That(response.Json["detail"]!.GetValue<string>(), Does.Contain("/api/ticket-events/3f2a9c").And.Contain("defendersnow.ticket_events.url"));
        });
    }

    [Test]
    public void The_new_path_is_the_route_of_ReceiveTicketEvent()
    {
        var receive = HttpFunctionCatalog.Get("ReceiveTicketEvent");

        Assert.That("/api/" + receive.Route.Replace("{integrationId}", "3f2a9c", StringComparison.Ordinal), Is.EqualTo(TicketEventRoutes.EventsPath("3f2a9c")));
    }
}
