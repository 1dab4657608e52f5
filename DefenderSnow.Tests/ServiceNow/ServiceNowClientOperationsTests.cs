using DefenderSnow.Core.Errors;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Simulators.ServiceNow;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.ServiceNow;

[TestFixture]
public sealed class ServiceNowClientOperationsTests
{
    private static readonly string[] FieldsCallerId = ["fields.caller_id"];

    [TestCase("incident")]
    [TestCase("problem")]
    [TestCase("change_request")]
    public async Task Creates_a_ticket_with_the_given_fields_and_our_correlation(string table)
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        var assignee = env.Simulator.SeedUser(new ServiceNowSimulatorUser("alice", "alice@contoso.example"));
        var group = env.Simulator.SeedGroup("Security Operations");
        var fields = env.TicketFields(table, "Unhealthy VM");
        fields["assigned_to"] = assignee;
        fields["assignment_group"] = group;
        fields["description"] = "Details";
        fields["impact"] = "2";
        fields["urgency"] = "1";

        var ticket = await env.Client.CreateTicketAsync(new ServiceNowTicketRequest(table, "assignment-42", fields), CancellationToken.None);

        var catalogue = ServiceNowTicketTables.Get(table);
        var stored = env.Simulator.GetRecord(table, ticket.SysId)!;
        Assert.Multiple(() =>
        {
            Assert.That(ticket.Number, Does.Match($"^{catalogue.NumberPrefix}[0-9]{{7}}$"));
            Assert.That(ticket.State.Value, Is.EqualTo(catalogue.InitialState));
            Assert.That(ticket.State.IsTerminal, Is.False);
            Assert.That(ticket.AssignedToSysId, Is.EqualTo(assignee));
            Assert.That(ticket.AssignedToEmail, Is.EqualTo("alice@contoso.example"));
            Assert.That(ticket.AssignmentGroupSysId, Is.EqualTo(group));
            Assert.That(ticket.Link, Is.EqualTo(new Uri(env.Simulator.BaseUri, $"{table}.do?sys_id={ticket.SysId}")));
            Assert.That(stored["correlation_id"], Is.EqualTo("assignment-42"));
            Assert.That(stored["correlation_display"], Is.EqualTo(ServiceNowTicketTables.CorrelationDisplay));
            Assert.That(stored["description"], Is.EqualTo("Details"));
            Assert.That(stored[catalogue.CallerField], Is.EqualTo(fields[catalogue.CallerField]));
            Assert.That(stored["priority"], Is.EqualTo("2"));
        });
    }

    [Test]
    public async Task A_field_the_table_does_not_have_is_refused_before_anything_is_sent()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        var fields = new Dictionary<string, string> { ["short_description"] = "x", ["caller_id"] = "0123456789abcdef0123456789abcdef" };

        var error = Assert.ThrowsAsync<ValidationException>(() =>
            env.Client.CreateTicketAsync(new ServiceNowTicketRequest("problem", "assignment-1", fields), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Errors.Keys, Is.EquivalentTo(FieldsCallerId));
            Assert.That(env.Simulator.TotalRequests, Is.Zero);
        });
    }

    [Test]
    public async Task Reading_1000_tickets_by_id_takes_at_most_10_requests()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        var ids = Enumerable.Range(0, 1000)
            .Select(i => env.Simulator.CreateTicket("incident", new Dictionary<string, string> { ["short_description"] = $"t{i}" })["sys_id"])
            .ToList();
        env.Simulator.Delete("incident", ids[7]);

        var tickets = await env.Client.GetTicketsAsync("incident", ids, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(tickets, Has.Count.EqualTo(999), "a deleted ticket is simply absent");
            Assert.That(tickets.Select(t => t.SysId), Is.SubsetOf(ids).And.Not.Contains(ids[7]));
            Assert.That(env.Simulator.RequestCount("GET /api/now/table/incident"), Is.LessThanOrEqualTo(10));
        });
    }

    [Test]
    public async Task Changed_tickets_are_paged_and_none_is_lost_within_one_second()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var env = await ServiceNowTestEnvironment.StartAsync(clock: clock, settings: new Dictionary<string, string?> { ["ServiceNow:PageSize"] = "2" });
        var start = ServiceNowChangeCursor.Since(clock.GetUtcNow().AddMinutes(-1));
        var created = new List<ServiceNowTicket>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await env.Client.CreateTicketAsync(new ServiceNowTicketRequest("incident", $"a{i}", env.TicketFields("incident")), CancellationToken.None));
        }

        env.Simulator.CreateTicket("incident", new Dictionary<string, string> { ["short_description"] = "not ours" });

        var (seen, cursor) = await ReadAllAsync(env.Client, start);
        Assert.That(seen.Select(t => t.SysId), Is.EquivalentTo(created.Select(t => t.SysId)));

        // Still the same second: one of ours changes again and a new one appears.
        env.Simulator.Reassign("incident", created[0].SysId, ServiceNowTestEnvironment.ServiceUser);
        var late = await env.Client.CreateTicketAsync(new ServiceNowTicketRequest("incident", "a5", env.TicketFields("incident")), CancellationToken.None);
        var (again, cursor2) = await ReadAllAsync(env.Client, ServiceNowChangeCursor.Parse(cursor.Serialize()));
        Assert.That(again.Select(t => t.SysId), Is.EquivalentTo(new[] { created[0].SysId, late.SysId }));

        var (nothing, _) = await ReadAllAsync(env.Client, cursor2);
        Assert.That(nothing, Is.Empty);

        clock.Advance(TimeSpan.FromSeconds(1));
        env.Simulator.Resolve("incident", created[3].SysId);
        var (resolved, _) = await ReadAllAsync(env.Client, cursor2);
        Assert.Multiple(() =>
        {
            Assert.That(resolved.Select(t => t.SysId), Is.EqualTo(new[] { created[3].SysId }));
            Assert.That(resolved[0].State.Name, Is.EqualTo("Resolved"));
            Assert.That(resolved[0].State.IsTerminal, Is.True);
        });
    }

    [Test]
    public async Task Finds_a_ticket_by_correlation_id()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        var created = await env.Client.CreateTicketAsync(new ServiceNowTicketRequest("change_request", "assignment-7", env.TicketFields("change_request")), CancellationToken.None);

        var found = await env.Client.FindByCorrelationIdAsync("change_request", "assignment-7", CancellationToken.None);
        var missing = await env.Client.FindByCorrelationIdAsync("change_request", "assignment-8", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(found?.SysId, Is.EqualTo(created.SysId));
            Assert.That(missing, Is.Null);
        });
    }

    [TestCase("alice@contoso.example")]
    [TestCase("ALICE")]
    public async Task Resolves_a_user_by_email_or_user_name(string value)
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        var alice = env.Simulator.SeedUser(new ServiceNowSimulatorUser("alice", "alice@contoso.example", "Alice"));
        env.Simulator.SeedUser(new ServiceNowSimulatorUser("bob", "bob@contoso.example", "Bob"));

        var user = await env.Client.ResolveUserAsync(value, "assignedTo", CancellationToken.None);

        Assert.That(user, Is.EqualTo(new ServiceNowUser(alice, "alice", "alice@contoso.example", "Alice")));
    }

    [Test]
    public async Task No_active_user_is_a_clear_error_naming_the_field()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        env.Simulator.SeedUser(new ServiceNowSimulatorUser("carol", "carol@contoso.example", Active: false));

        var error = Assert.ThrowsAsync<ValidationException>(() => env.Client.ResolveUserAsync("carol@contoso.example", "assignedTo", CancellationToken.None));

        Assert.That(error!.Errors["assignedTo"].Single(), Does.Contain("No active ServiceNow user").And.Contain("carol@contoso.example"));
    }

    [Test]
    public async Task Several_matching_users_is_a_clear_error()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        env.Simulator.SeedUser(new ServiceNowSimulatorUser("dave", "shared@contoso.example"));
        env.Simulator.SeedUser(new ServiceNowSimulatorUser("erin", "shared@contoso.example"));

        var error = Assert.ThrowsAsync<ValidationException>(() => env.Client.ResolveUserAsync("shared@contoso.example", "caller", CancellationToken.None));

        Assert.That(error!.Errors["caller"].Single(), Does.Contain("Several active ServiceNow users"));
    }

    [TestCase("alice^ORuser_name=admin")]
    [TestCase("alice^NQactive=true")]
    [TestCase("javascript:gs.getUserID()")]
    [TestCase("ali\tce")]
    public async Task A_value_that_would_change_the_query_never_reaches_ServiceNow(string value)
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        env.Simulator.SeedUser(new ServiceNowSimulatorUser("alice", "alice@contoso.example"));

        Assert.ThrowsAsync<ValidationException>(() => env.Client.ResolveUserAsync(value, "assignedTo", CancellationToken.None));
        Assert.ThrowsAsync<ValidationException>(() => env.Client.ResolveGroupAsync(value, "assignmentGroup", CancellationToken.None));
        Assert.ThrowsAsync<ValidationException>(() => env.Client.FindByCorrelationIdAsync("incident", value, CancellationToken.None));

        Assert.That(env.Simulator.TotalRequests, Is.Zero);
    }

    [Test]
    public async Task Resolves_a_group_by_name_or_sys_id()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        var sysId = env.Simulator.SeedGroup("Security Operations");
        env.Simulator.SeedGroup("Retired", active: false);

        var byName = await env.Client.ResolveGroupAsync("security operations", "assignmentGroup", CancellationToken.None);
        var byId = await env.Client.ResolveGroupAsync(sysId, "assignmentGroup", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(byName, Is.EqualTo(new ServiceNowGroup(sysId, "Security Operations")));
            Assert.That(byId, Is.EqualTo(byName));
            Assert.ThrowsAsync<ValidationException>(() => env.Client.ResolveGroupAsync("Retired", "assignmentGroup", CancellationToken.None));
        });
    }

    [Test]
    public async Task States_set_by_a_ServiceNow_user_map_to_names_and_terminality()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        var incident = env.Simulator.CreateTicket("incident", new Dictionary<string, string> { ["short_description"] = "i" })["sys_id"];
        var problem = env.Simulator.CreateTicket("problem", new Dictionary<string, string> { ["short_description"] = "p" })["sys_id"];
        var change = env.Simulator.CreateTicket("change_request", new Dictionary<string, string> { ["short_description"] = "c" })["sys_id"];
        var open = env.Simulator.CreateTicket("incident", new Dictionary<string, string> { ["short_description"] = "o" })["sys_id"];
        env.Simulator.Close("incident", incident);
        env.Simulator.Close("problem", problem);
        env.Simulator.Cancel("change_request", change);

        var incidents = await env.Client.GetTicketsAsync("incident", [incident, open], CancellationToken.None);
        var problems = await env.Client.GetTicketsAsync("problem", [problem], CancellationToken.None);
        var changes = await env.Client.GetTicketsAsync("change_request", [change], CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(incidents.Single(t => t.SysId == incident).State, Is.EqualTo(new ServiceNowTicketState("7", "Closed", true, ServiceNowTicketEnd.Closed)));
            Assert.That(incidents.Single(t => t.SysId == open).State, Is.EqualTo(new ServiceNowTicketState("1", "New", false)));
            Assert.That(problems.Single().State, Is.EqualTo(new ServiceNowTicketState("107", "Closed", true, ServiceNowTicketEnd.Closed)));
            Assert.That(changes.Single().State, Is.EqualTo(new ServiceNowTicketState("4", "Canceled", true, ServiceNowTicketEnd.Canceled)));
        });
    }

    [Test]
    public async Task A_data_policy_refusal_is_a_rejection_with_ServiceNows_reason()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        var fields = env.TicketFields("incident");
        fields["state"] = "6";

        var error = Assert.ThrowsAsync<ServiceNowRejectedException>(() =>
            env.Client.CreateTicketAsync(new ServiceNowTicketRequest("incident", "a", fields), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(403));
            Assert.That(error.Message, Does.Contain("Data Policy Exception"));
            Assert.That(env.Simulator.RequestCount("POST /api/now/table/incident"), Is.EqualTo(1), "a refusal is not retried");
        });
    }

    private static async Task<(List<ServiceNowTicket> Tickets, ServiceNowChangeCursor Cursor)> ReadAllAsync(IServiceNowClient client, ServiceNowChangeCursor cursor)
    {
        var tickets = new List<ServiceNowTicket>();
        for (var pages = 0; pages < 20; pages++)
        {
            var page = await client.GetChangedTicketsAsync("incident", cursor, CancellationToken.None);
            tickets.AddRange(page.Items);
            cursor = page.Next;
            if (!page.HasMore)
            {
                return (tickets, cursor);
            }
        }

        throw new AssertionException("Paging did not end.");
    }
}
