using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DefenderSnow.Simulators.ServiceNow;

namespace DefenderSnow.Tests.TicketEvents;

/// <summary>The simulator's ticket events over its HTTP control surface, as a local run uses them.</summary>
[TestFixture]
public sealed class SimulatorTicketEventControlTests
{
    [Test]
    public async Task Ticket_events_are_configured_counted_and_stopped_over_http_and_the_secret_is_never_shown()
    {
        await using var simulator = await ServiceNowSimulator.StartAsync();
        using var http = simulator.CreateTrustingClient();
        const string Secret = "simulator-control-secret";

        var refused = await http.PutAsJsonAsync("_sim/servicenow/ticket-events", new { url = "http://example.com/api/ticket-events/x", secret = Secret });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "plain http only to loopback");

        // Nothing listens on port 1: the event is sent and lost, as a real instance's would be.
        var set = await http.PutAsJsonAsync("_sim/servicenow/ticket-events", new { url = "http://127.0.0.1:1/api/ticket-events/x", secret = Secret });
        Assert.That(set.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await set.Content.ReadAsStringAsync(), Does.Not.Contain(Secret));

        var ours = simulator.CreateTicket("incident", new Dictionary<string, string> { ["short_description"] = "ours", ["correlation_display"] = "DefenderSnow", ["correlation_id"] = Guid.NewGuid().ToString("N") });
        var theirs = simulator.CreateTicket("incident", new Dictionary<string, string> { ["short_description"] = "not ours" });
        simulator.UpdateTicket("incident", ours["sys_id"], new Dictionary<string, string> { ["state"] = "2" });
        simulator.UpdateTicket("incident", theirs["sys_id"], new Dictionary<string, string> { ["state"] = "2" });

        var counts = await http.GetFromJsonAsync<JsonObject>("_sim/servicenow/ticket-events");
        Assert.That((counts!["sent"]!.GetValue<int>(), counts["failed"]!.GetValue<int>()), Is.EqualTo((0, 1)), "only the ticket with our correlation fires the rule");

        var stopped = await http.DeleteFromJsonAsync<JsonObject>("_sim/servicenow/ticket-events");
        Assert.That(stopped!["url"], Is.Null);
        simulator.UpdateTicket("incident", ours["sys_id"], new Dictionary<string, string> { ["short_description"] = "changed" });
        Assert.That(simulator.TicketEventsFailed + simulator.TicketEventsSent, Is.EqualTo(1));
    }
}
