using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.TicketEvents;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.TicketEvents;

/// <summary>
/// Several integrations on one ServiceNow instance: the business rule routes each ticket's event by its creator, the
/// integration's own ServiceNow user, so every integration hears about its own tickets and no other's.
/// </summary>
[TestFixture]
public sealed class SharedInstanceTicketEventTests : IUsesHarness
{
    private SyncTestContext _context = null!;
    private TicketEventDriver _events = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartAppAndListener() => (_context, _events) = await TicketEventDriver.StartWithAppAsync();

    [TearDown]
    public void StopRouting() => _context.App.ServiceNow.SendTicketEventsTo(null);

    [Test]
    public async Task Routed_by_creator_each_integration_on_one_instance_closes_only_its_own_ticket()
    {
        var (first, firstSecret, firstUser, _) = await IntegrationOfItsOwnUserAsync();
        var (second, secondSecret, secondUser, _) = await IntegrationOfItsOwnUserAsync();
        var firstAssignment = await _context.Sync.CreateLiveAssignmentAsync(first);
        var secondAssignment = await _context.Sync.CreateLiveAssignmentAsync(second);
        await _events.DeliverEventMessagesAsync();
        _context.App.ServiceNow.RouteTicketEvents(firstUser, _events.EventsUri(first), firstSecret);
        _context.App.ServiceNow.RouteTicketEvents(secondUser, _events.EventsUri(second), secondSecret);
        var failed = _context.App.ServiceNow.TicketEventsFailed;

        _context.App.ServiceNow.Resolve("incident", secondAssignment.Ticket.SysId!);
        Assert.That(await _events.DeliverEventMessagesAsync(), Is.EqualTo(1));

        Assert.That(_context.App.ServiceNow.TicketEventsFailed - failed, Is.Zero, "no event went to an integration that refused it as not its own");
        Assert.That((await _context.Sync.StoredAsync(secondAssignment)).Status, Is.EqualTo(AssignmentStatus.Closed));
        Assert.That((await _context.Sync.StoredAsync(firstAssignment)).Status, Is.EqualTo(AssignmentStatus.Active));

        _context.App.ServiceNow.Resolve("incident", firstAssignment.Ticket.SysId!);
        Assert.That(await _events.DeliverEventMessagesAsync(), Is.EqualTo(1));
        Assert.That(_context.App.ServiceNow.TicketEventsFailed - failed, Is.Zero);
        Assert.That((await _context.Sync.StoredAsync(firstAssignment)).Status, Is.EqualTo(AssignmentStatus.Closed));
    }

    [Test]
    public async Task Without_routes_the_second_integration_on_an_instance_hears_nothing_of_its_tickets()
    {
        // Today's single pair of properties: every event goes to the first integration, which refuses the second's.
        var (first, firstSecret, _, _) = await IntegrationOfItsOwnUserAsync();
        var (second, _, _, _) = await IntegrationOfItsOwnUserAsync();
        var secondAssignment = await _context.Sync.CreateLiveAssignmentAsync(second);
        await _events.DeliverEventMessagesAsync();
        _context.App.ServiceNow.SendTicketEventsTo(_events.EventsUri(first), firstSecret);
        var failed = _context.App.ServiceNow.TicketEventsFailed;

        _context.App.ServiceNow.Resolve("incident", secondAssignment.Ticket.SysId!);

        Assert.That(_context.App.ServiceNow.TicketEventsFailed - failed, Is.EqualTo(1), "the first integration answered 404: not its ticket");
        Assert.That(await _events.DeliverEventMessagesAsync(), Is.Zero);
        Assert.That((await _context.Sync.StoredAsync(secondAssignment)).Status, Is.EqualTo(AssignmentStatus.Active), "left to the sync");
    }

    [Test]
    public async Task Turning_events_on_names_the_route_and_the_integrations_that_share_its_user()
    {
        var (first, _, firstUser, password) = await IntegrationOfItsOwnUserAsync();
        var body = _context.Harness.ValidBody();
        body["username"] = firstUser;
        body["password"] = password;
        var twin = await _context.Harness.CreateAsync(body);
        Assert.That(twin.Status, Is.EqualTo(201), twin.ToString());
        var twinId = twin.Json["id"]!.GetValue<string>();

        var enabled = await _events.EnableWebhookAsync(twinId);

        Assert.That(enabled.Status, Is.EqualTo(200), enabled.ToString());
        var routing = enabled.Json["routing"]!;
        Assert.That(routing["routesProperty"]!.GetValue<string>(), Is.EqualTo(TicketEventRouting.RoutesProperty));
        Assert.That(routing["createdBy"]!.GetValue<string>(), Is.EqualTo(firstUser));
        Assert.That(routing["urlProperty"]!.GetValue<string>(), Is.EqualTo($"defendersnow.ticket_events.{twinId}.url"));
        Assert.That(routing["signingKeyProperty"]!.GetValue<string>(), Is.EqualTo($"defendersnow.ticket_events.{twinId}.secret"));
        Assert.That(routing["sharedWith"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { first }), "both sign in as one user: their events cannot be told apart");
    }

    /// <summary>An integration signing in as a ServiceNow user of its own, with ticket events on (nothing sent yet).</summary>
    private async Task<(string Id, string Secret, string User, string Password)> IntegrationOfItsOwnUserAsync()
    {
        var user = "svc-defender-" + Guid.NewGuid().ToString("N")[..8];
        var password = "Pw-" + Guid.NewGuid().ToString("N");
        _context.Harness.RememberSecret(password);
        _context.App.ServiceNow.SeedUser(new ServiceNowSimulatorUser(user, $"{user}@contoso.example", Password: password));
        var body = _context.Harness.ValidBody();
        body["username"] = user;
        body["password"] = password;
        var created = await _context.Harness.CreateAsync(body);
        Assert.That(created.Status, Is.EqualTo(201), created.ToString());
        var id = created.Json["id"]!.GetValue<string>();
        var enabled = await _events.EnableWebhookAsync(id);
        Assert.That(enabled.Status, Is.EqualTo(200), enabled.ToString());
        Assert.That(enabled.Json["routing"]!["sharedWith"]!.AsArray(), Is.Empty);
        return (id, enabled.Json["secret"]!.GetValue<string>(), user, password);
    }
}
