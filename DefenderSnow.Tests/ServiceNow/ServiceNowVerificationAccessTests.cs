using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.ServiceNow;

/// <summary>
/// Verification at integration create proves more than reads (issue 9): the create right on every ticket table
/// without leaving a ticket behind, the user's time zone, and an unavailable instance that answers HTML.
/// </summary>
[TestFixture]
public sealed class ServiceNowVerificationAccessTests
{
    private static readonly string[] TicketTables = ["incident", "problem", "change_request"];

    [Test]
    public async Task The_create_right_is_proven_on_every_ticket_table_and_no_ticket_is_left_behind()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();

        await env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            foreach (var table in TicketTables)
            {
                Assert.That(env.Simulator.RequestCount($"POST /api/now/table/{table}"), Is.EqualTo(1), table);
                Assert.That(env.Simulator.ListTickets(table), Is.Empty, table);
            }
        });
    }

    [Test]
    public async Task On_an_instance_that_stores_any_state_the_probe_ticket_is_deleted_at_once()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        env.Simulator.RefuseUnknownStates = false;

        await env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            foreach (var table in TicketTables)
            {
                Assert.That(env.Simulator.RequestCount($"DELETE /api/now/table/{table}/{{sys_id}}"), Is.EqualTo(1), table);
                Assert.That(env.Simulator.ListTickets(table), Is.Empty, table);
            }
        });
    }

    [Test]
    public async Task A_probe_ticket_that_cannot_be_deleted_is_logged_with_its_number_and_the_right_still_counts()
    {
        var logs = new CapturingLoggerProvider();
        await using var env = await ServiceNowTestEnvironment.StartAsync(logs: logs);
        env.Simulator.RefuseUnknownStates = false;
        env.Simulator.Deny(ServiceNowTestEnvironment.ServiceUser, "problem", ServiceNowTableOperation.Delete);

        await env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None);

        var left = env.Simulator.ListTickets("problem").Single();
        Assert.That(left["correlation_display"], Is.EqualTo("DefenderSnow-access-check"));
        Assert.That(logs.Lines, Has.Some.Contains("could not be removed").And.Contains(left["number"]));
    }

    [TestCase("incident")]
    [TestCase("change_request")]
    public async Task An_account_that_may_read_but_not_create_tickets_is_refused_naming_the_table(string table)
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        env.Simulator.Deny(ServiceNowTestEnvironment.ServiceUser, table, ServiceNowTableOperation.Create);

        var error = Assert.ThrowsAsync<ServiceNowRejectedException>(() => env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Table, Is.EqualTo(table));
            Assert.That(error.StatusCode, Is.EqualTo(403));
            Assert.That(error.Message, Does.StartWith($"ServiceNow refused to create tickets in '{table}': ").And.Contain("ACL Exception Insert Failed"));
            foreach (var ticketTable in TicketTables)
            {
                Assert.That(env.Simulator.ListTickets(ticketTable), Is.Empty, ticketTable);
            }
        });
    }

    [Test]
    public async Task The_users_time_zone_is_read_and_returned()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        env.Simulator.SetTimeZone(ServiceNowTestEnvironment.ServiceUser, "Europe/Paris");

        var verified = await env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None);

        Assert.That(verified.TimeZone, Is.EqualTo("Europe/Paris"));
        // The user's record, then one calibration read that finds it by its creation time written in Paris time.
        Assert.That(env.Simulator.RequestCount("GET /api/now/table/sys_user"), Is.EqualTo(2));
        Assert.That(verified.QueryDates!.Mode, Is.EqualTo(ServiceNowQueryDateMode.UserZone));
    }

    [Test]
    public async Task A_user_without_a_time_zone_is_read_as_UTC()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();

        var verified = await env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None);

        Assert.That(verified.TimeZone, Is.Null);
    }

    [Test]
    public async Task A_time_zone_DefenderSnow_cannot_convert_is_refused_with_what_to_do()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        env.Simulator.SetTimeZone(ServiceNowTestEnvironment.ServiceUser, "Mars/Olympus_Mons");

        var error = Assert.ThrowsAsync<ServiceNowRejectedException>(() => env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("'Mars/Olympus_Mons'").And.Contain("IANA time zone"));
    }

    [TestCase(ServiceNowOutage.Maintenance)]
    [TestCase(ServiceNowOutage.Hibernating)]
    public async Task An_instance_answering_HTML_is_unreachable_for_verification(ServiceNowOutage outage)
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync(settings: new Dictionary<string, string?> { ["ServiceNow:MaxRetryAttempts"] = "0" });
        env.Simulator.Outage = outage;

        var error = Assert.ThrowsAsync<ServiceNowUnreachableException>(() => env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None));

        Assert.That(error!.Message, Does.Not.Contain("<html").IgnoreCase);
    }

    [TestCase(ServiceNowOutage.Maintenance)]
    [TestCase(ServiceNowOutage.Hibernating)]
    public async Task An_instance_answering_HTML_to_a_read_is_unreachable_never_data(ServiceNowOutage outage)
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync(settings: new Dictionary<string, string?> { ["ServiceNow:MaxRetryAttempts"] = "0" });
        await env.Tokens.GetAccessTokenAsync(env.Connection, CancellationToken.None);
        env.Simulator.Outage = outage;

        Assert.ThrowsAsync<ServiceNowUnreachableException>(() =>
            env.Client.GetChangedTicketsAsync("incident", ServiceNowChangeCursor.Since(DateTimeOffset.UnixEpoch), CancellationToken.None));
        Assert.ThrowsAsync<ServiceNowUnreachableException>(() =>
            env.Client.ResolveUserAsync(ServiceNowTestEnvironment.ServiceUser, "owner", CancellationToken.None));
    }
}
