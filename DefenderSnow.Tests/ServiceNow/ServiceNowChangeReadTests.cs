using DefenderSnow.Core.ServiceNow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.ServiceNow;

/// <summary>
/// <see cref="IServiceNowClient.GetChangedTicketsAsync"/> against the strict simulator (issue 9): keyset pages that do
/// not depend on the order of ties, short and empty pages that are not the end, one request when nothing changed,
/// and query dates in the integration user's time zone.
/// </summary>
[TestFixture]
public sealed class ServiceNowChangeReadTests
{
    private static readonly DateTimeOffset Noon = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Tickets_that_tie_on_their_update_second_are_each_read_once_whatever_their_order()
    {
        var clock = new FakeTimeProvider(Noon);
        await using var env = await StartAsync(clock, pageSize: 2);
        var created = await CreateAsync(env, 9);

        for (var round = 0; round < 3; round++)
        {
            var (read, _, _) = await ReadAllAsync(env.Client, ServiceNowChangeCursor.Since(Noon.AddMinutes(-1)));
            Assert.That(read.Select(t => t.SysId), Is.EquivalentTo(created), $"round {round}");
        }
    }

    [Test]
    public async Task Short_and_empty_pages_are_not_the_end_of_the_changes()
    {
        var clock = new FakeTimeProvider(Noon);
        await using var env = await StartAsync(clock, pageSize: 2);
        // Oldest first, so the first pages hold only hidden rows and the visible ones come last.
        await CreateAsync(env, 5, "hidden", clock);
        var visible = await CreateAsync(env, 2, "visible", clock);
        env.Simulator.HideRows(ServiceNowTestEnvironment.ServiceUser, "incident", "short_descriptionSTARTSWITHhidden");
        env.Simulator.ResetRequestCounts();

        var (read, _, pages) = await ReadAllAsync(env.Client, ServiceNowChangeCursor.Since(Noon.AddMinutes(-1)));

        Assert.That(read.Select(t => t.SysId), Is.EqualTo(visible));
        Assert.That(env.Simulator.RequestCount("GET /api/now/table/incident"), Is.EqualTo(pages), "one request per page");
    }

    [Test]
    public async Task With_nothing_changed_a_read_is_exactly_one_request()
    {
        var clock = new FakeTimeProvider(Noon);
        await using var env = await StartAsync(clock, pageSize: 2);
        await CreateAsync(env, 5);
        var (_, cursor, _) = await ReadAllAsync(env.Client, ServiceNowChangeCursor.Since(Noon.AddMinutes(-1)));
        env.Simulator.ResetRequestCounts();

        var page = await env.Client.GetChangedTicketsAsync("incident", ServiceNowChangeCursor.Parse(cursor.Serialize()), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(page.Items, Is.Empty);
            Assert.That(page.HasMore, Is.False);
            Assert.That(env.Simulator.RequestCount("GET /api/now/table/incident"), Is.EqualTo(1));
        });
    }

    // New York is behind UTC: a cursor date sent as UTC would be read hours too late and lose changes. Tokyo is ahead:
    // it would be read too early and bring back changes from before the cursor.
    [TestCase("America/New_York", -60, 1)]
    [TestCase("America/New_York", 1, 0)]
    [TestCase("Asia/Tokyo", 1, 0)]
    [TestCase("Asia/Tokyo", -60, 1)]
    public async Task Query_dates_are_sent_in_the_users_time_zone(string timeZone, int cursorSecondsFromChange, int expected)
    {
        var clock = new FakeTimeProvider(Noon);
        await using var env = await StartAsync(clock, pageSize: 10);
        env.Simulator.SetTimeZone(ServiceNowTestEnvironment.ServiceUser, timeZone);
        await CreateAsync(env, 1);
        var client = env.Services.GetRequiredService<IServiceNowClientFactory>().Create(env.Connection with { TimeZone = timeZone });

        var page = await client.GetChangedTicketsAsync("incident", ServiceNowChangeCursor.Since(Noon.AddSeconds(cursorSecondsFromChange)), CancellationToken.None);

        Assert.That(page.Items, Has.Count.EqualTo(expected));
    }

    [Test]
    public async Task A_cursor_in_the_hour_that_repeats_when_clocks_go_back_loses_nothing()
    {
        // 2025-11-02 01:30 happens twice in New York; 05:30 UTC is the first (EDT), 06:30 UTC the second (EST).
        var firstPass = new DateTimeOffset(2025, 11, 2, 5, 30, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(firstPass.AddMinutes(10));
        await using var env = await StartAsync(clock, pageSize: 10);
        env.Simulator.SetTimeZone(ServiceNowTestEnvironment.ServiceUser, "America/New_York");
        var created = await CreateAsync(env, 1);
        var client = env.Services.GetRequiredService<IServiceNowClientFactory>().Create(env.Connection with { TimeZone = "America/New_York" });

        var page = await client.GetChangedTicketsAsync("incident", ServiceNowChangeCursor.Since(firstPass), CancellationToken.None);

        Assert.That(page.Items.Select(t => t.SysId), Is.EqualTo(created));
    }

    [Test]
    public void A_cursor_keeps_its_page_position_through_serialization_and_refuses_a_forged_one()
    {
        var cursor = new ServiceNowChangeCursor(Noon, new Dictionary<string, int> { [new string('a', 32)] = 3 }, new string('b', 32), 40);

        Assert.That(ServiceNowChangeCursor.Parse(cursor.Serialize()), Is.EqualTo(cursor));
        Assert.That(ServiceNowChangeCursor.Parse("{\"T\":\"2025-03-01 12:00:00\",\"Seen\":{}}"), Is.EqualTo(ServiceNowChangeCursor.Since(Noon)));
        Assert.Throws<FormatException>(() => ServiceNowChangeCursor.Parse("{\"T\":\"2025-03-01 12:00:00\",\"Seen\":{},\"A\":\"x^ORactive=true\"}"));
    }

    private static Task<ServiceNowTestEnvironment> StartAsync(FakeTimeProvider clock, int pageSize) =>
        ServiceNowTestEnvironment.StartAsync(clock: clock, settings: new Dictionary<string, string?> { ["ServiceNow:PageSize"] = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    /// <summary>Creates tickets, one second apart when a clock is given, else in one second; returns their sys_ids.</summary>
    private static async Task<List<string>> CreateAsync(ServiceNowTestEnvironment env, int count, string prefix = "finding", FakeTimeProvider? clock = null)
    {
        var created = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var ticket = await env.Client.CreateTicketAsync(new ServiceNowTicketRequest("incident", $"{prefix}-{i}", env.TicketFields("incident", $"{prefix} {i}")), CancellationToken.None);
            created.Add(ticket.SysId);
            clock?.Advance(TimeSpan.FromSeconds(1));
        }

        return created;
    }

    private static async Task<(List<ServiceNowTicket> Tickets, ServiceNowChangeCursor Cursor, int Pages)> ReadAllAsync(IServiceNowClient client, ServiceNowChangeCursor cursor)
    {
        var tickets = new List<ServiceNowTicket>();
        for (var pages = 1; pages <= 50; pages++)
        {
            var page = await client.GetChangedTicketsAsync("incident", cursor, CancellationToken.None);
            tickets.AddRange(page.Items);
            cursor = page.Next;
            if (!page.HasMore)
            {
                return (tickets, cursor, pages);
            }
        }

        throw new AssertionException("Paging did not end.");
    }
}
