using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Simulators.ServiceNow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.ServiceNow;

/// <summary>
/// The incremental read's cursor against every way an instance may read the dates of an encoded query (issue 25): the
/// calibration at verification names the reading, and changes landing in the cursor's boundary second, at the far ends of
/// the UTC offsets and across the nights clocks change, are each read once: none missed, none read twice.
/// </summary>
[TestFixture]
public sealed class QueryDateCalibrationTests
{
    private const string Kiritimati = "Pacific/Kiritimati";
    private const string MinusTwelve = "Etc/GMT+12";

    private static readonly DateTimeOffset Noon = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Seconds after the night's start: the last seconds before the change, the change, and the hours after.</summary>
    private static readonly int[] NightSteps = [0, 1, 2, 3, 1800, 3600, 3601, 5400, 7200];

    private static IEnumerable<TestCaseData> Readings()
    {
        foreach (var zone in new[] { Kiritimati, MinusTwelve })
        {
            yield return new TestCaseData(ServiceNowQueryDateReading.UserZone, zone, null, false, ServiceNowQueryDateMode.UserZone).SetName($"User zone {zone}");
            yield return new TestCaseData(ServiceNowQueryDateReading.Utc, zone, null, false, ServiceNowQueryDateMode.Utc).SetName($"UTC whatever the user zone {zone}");
            yield return new TestCaseData(ServiceNowQueryDateReading.UserZone, null, zone, false, ServiceNowQueryDateMode.SystemZone).SetName($"System zone {zone}");
            yield return new TestCaseData(ServiceNowQueryDateReading.UserZone, null, zone, true, ServiceNowQueryDateMode.Unknown).SetName($"Unreadable system zone {zone}");
        }

        yield return new TestCaseData(ServiceNowQueryDateReading.Utc, null, Kiritimati, true, ServiceNowQueryDateMode.SystemZone).SetName("UTC with an unreadable system zone");
    }

    [TestCaseSource(nameof(Readings))]
    public async Task Changes_in_the_cursors_boundary_second_are_read_once_however_the_instance_reads_query_dates(
        ServiceNowQueryDateReading reading, string? userZone, string? systemZone, bool systemZoneHidden, ServiceNowQueryDateMode expected)
    {
        var clock = new FakeTimeProvider(Noon.AddDays(-30));
        await using var env = await StartAsync(clock, reading, userZone, systemZone, systemZoneHidden);
        var sync = await VerifyAsync(env, clock);
        Assert.That(sync.Dates.Mode, Is.EqualTo(expected), string.Join(",", sync.Dates.Zones));

        await sync.RunAsync(Noon, Noon.AddSeconds(1), Noon.AddMinutes(5), Noon.AddHours(13));

        sync.AssertEachChangeReadOnce();
    }

    // Los Angeles falls back at 09:00 UTC on 2025-11-02 (01:00-02:00 local happens twice); Berlin springs forward at 01:00
    // UTC on 2025-03-30 (02:00-03:00 local never happens). The calibration ran months before, in the other season.
    [TestCase("America/Los_Angeles", "2025-06-01T12:00:00Z", "2025-11-02T08:59:58Z")]
    [TestCase("Europe/Berlin", "2024-12-01T12:00:00Z", "2025-03-30T00:59:58Z")]
    public async Task Changes_across_a_daylight_saving_change_are_read_once_in_every_reading(string zone, string calibratedAt, string night)
    {
        var start = DateTimeOffset.Parse(night, System.Globalization.CultureInfo.InvariantCulture);
        var steps = NightSteps.Select(s => start.AddSeconds(s)).ToArray();
        foreach (var (reading, user, system) in new (ServiceNowQueryDateReading, string?, string?)[]
        {
            (ServiceNowQueryDateReading.UserZone, zone, null),
            (ServiceNowQueryDateReading.UserZone, null, zone),
            (ServiceNowQueryDateReading.Utc, zone, null),
        })
        {
            var clock = new FakeTimeProvider(DateTimeOffset.Parse(calibratedAt, System.Globalization.CultureInfo.InvariantCulture));
            await using var env = await StartAsync(clock, reading, user, system, systemZoneHidden: false);
            var sync = await VerifyAsync(env, clock);

            await sync.RunAsync(steps);

            sync.AssertEachChangeReadOnce($"{reading} user {user} system {system}");
        }
    }

    [Test]
    public async Task A_user_in_a_zone_the_host_cannot_name_is_read_early_enough_for_any_zone()
    {
        var dates = new ServiceNowQueryDates(ServiceNowQueryDateMode.Unknown, [], ServiceNowQueryDates.AnyZoneMargin, Noon);

        // Sent as UTC-12 wall time: read in UTC+14 it is 26 hours early, in UTC-12 exactly the cursor.
        Assert.That(dates.FormatLowerBound(Noon), Is.EqualTo("2025-06-15 00:00:00"));
        Assert.That(ServiceNowQueryDates.Parse(dates.Serialize()), Is.EqualTo(dates));
    }

    private static async Task<ServiceNowTestEnvironment> StartAsync(
        FakeTimeProvider clock, ServiceNowQueryDateReading reading, string? userZone, string? systemZone, bool systemZoneHidden)
    {
        var env = await ServiceNowTestEnvironment.StartAsync(
            new ServiceNowSimulatorOptions { QueryDateReading = reading, SystemTimeZone = systemZone },
            new Dictionary<string, string?> { ["ServiceNow:PageSize"] = "3" },
            clock);
        env.Simulator.SetTimeZone(ServiceNowTestEnvironment.ServiceUser, userZone);
        if (systemZoneHidden)
        {
            env.Simulator.Deny(ServiceNowTestEnvironment.ServiceUser, "sys_properties", ServiceNowTableOperation.Read);
        }

        return env;
    }

    private static async Task<IncrementalReads> VerifyAsync(ServiceNowTestEnvironment env, FakeTimeProvider clock)
    {
        var verified = await env.Verifier.VerifyAsync(env.Credentials(), CancellationToken.None);
        var connection = env.Connection with { TimeZone = verified.TimeZone, QueryDates = verified.QueryDates };
        return new IncrementalReads(env, clock, env.Services.GetRequiredService<IServiceNowClientFactory>().Create(connection), verified.QueryDates!);
    }

    /// <summary>
    /// Reads changes as <c>IncrementalPass</c> does (every page, then the next cursor kept), while tickets change at given
    /// instants: in the second a read ends on, and after it.
    /// </summary>
    private sealed class IncrementalReads(ServiceNowTestEnvironment env, FakeTimeProvider clock, IServiceNowClient client, ServiceNowQueryDates dates)
    {
        private readonly List<(string SysId, int ModCount)> _made = [];
        private readonly List<(string SysId, int ModCount)> _read = [];
        private readonly List<string> _tickets = [];
        private ServiceNowChangeCursor? _cursor;

        public ServiceNowQueryDates Dates => dates;

        public async Task RunAsync(params DateTimeOffset[] steps)
        {
            foreach (var at in steps)
            {
                clock.SetUtcNow(at);
                _cursor ??= ServiceNowChangeCursor.Since(at.AddMinutes(-5));
                await ChangeAsync();
                await ReadAsync();

                // The read ended on this very second: a ticket changed again, and one opened, in it.
                await ChangeAsync();
                await ReadAsync();
            }

            // Nothing changed since: one request, nothing read.
            env.Simulator.ResetRequestCounts();
            var before = _read.Count;
            await ReadAsync();
            Assert.That(_read, Has.Count.EqualTo(before), "a quiet read reads nothing");
            if (dates.Margin == TimeSpan.Zero)
            {
                // With the zone named, the bound is the cursor itself; a margin re-reads (and drops) its window's rows.
                Assert.That(env.Simulator.RequestCount("GET /api/now/table/incident"), Is.EqualTo(1), "a quiet read is one request");
            }
        }

        public void AssertEachChangeReadOnce(string because = "")
        {
            Assert.That(_read, Is.EquivalentTo(_made), $"{because}: each change read, none twice ({dates.Mode}, {string.Join(",", dates.Zones)}, margin {dates.Margin})");
        }

        private async Task ChangeAsync()
        {
            if (_tickets.Count > 0)
            {
                var changed = env.Simulator.UpdateTicket("incident", _tickets[^1], new Dictionary<string, string> { ["short_description"] = $"changed at {clock.GetUtcNow():O}" });
                _made.Add((changed["sys_id"], int.Parse(changed["sys_mod_count"], System.Globalization.CultureInfo.InvariantCulture)));
            }

            var ticket = await client.CreateTicketAsync(
                new ServiceNowTicketRequest("incident", $"finding-{_tickets.Count}", env.TicketFields("incident", $"finding {_tickets.Count}")), CancellationToken.None);
            _tickets.Add(ticket.SysId);
            _made.Add((ticket.SysId, ticket.ModCount));
        }

        private async Task ReadAsync()
        {
            for (var pages = 0; pages < 100; pages++)
            {
                var page = await client.GetChangedTicketsAsync("incident", _cursor!, CancellationToken.None);
                _read.AddRange(page.Items.Select(t => (t.SysId, t.ModCount)));
                _cursor = ServiceNowChangeCursor.Parse(page.Next.Serialize());
                if (!page.HasMore)
                {
                    return;
                }
            }

            throw new AssertionException("Paging did not end.");
        }
    }
}
