using System.Text.Json.Nodes;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// Issue 26 M2, "unreadable means deleted": a ticket a bulk read leaves out is read once more by sys_id, and only
/// ServiceNow's 404 closes its assignment; a refusal or a blank record is reported and closes nothing. A pass that would
/// close more than MassClosureLimitPercent (20 % here, the default) of the integration's live assignments for something
/// missing (tickets, findings) closes none and marks the integration for a person. Through RunSync and the queue.
/// </summary>
[TestFixture]
public sealed class DeletionProofTests
{
    private const string ListIncidents = "GET /api/now/table/incident";
    private const string ReadIncident = "GET /api/now/table/incident/{sys_id}";
    private static readonly int[] TwoChunksEach = [2, 2, 2];

    private SyncTestContext _context = null!;

    /// <summary>
    /// The default share: the sync settings turn the guard off for tests that hold other behaviours. The count always
    /// allowed is 0 here so that these small estates meet the share; <see cref="MassClosureMinimumTests"/> holds its default.
    /// </summary>
    [OneTimeSetUp]
    public async Task StartAppWithTheDefaultShare() => _context = await SyncTestContext.StartAsync(settings =>
    {
        settings.Remove("MassClosureLimitPercent");
        settings["MassClosureMinimum"] = "0";
    });

    [OneTimeTearDown]
    public async Task StopApp() => await _context.Harness.DisposeAsync();

    [SetUp]
    public void BeginTest() => _context.Harness.BeginTest();

    [TearDown]
    public async Task ShowEverythingAgainAndScanForSecrets()
    {
        _context.App.ServiceNow.HideRows(IntegrationHarness.ServiceUser, "incident", null);
        await _context.Harness.AssertNoSecretInLogsResponsesOrTablesAsync();
    }

    [Test]
    public async Task A_ticket_missing_from_the_bulk_read_is_closed_as_deleted_only_on_a_404_for_one_read_of_its_own()
    {
        var (integrationId, assignments) = await IntegrationWithAsync(10);
        _context.App.ServiceNow.Delete("incident", assignments[0].Ticket.SysId!);
        _context.App.ServiceNow.ResetRequestCounts();

        var part = Part(await _context.Sync.SyncAsync(integrationId, full: true));

        Assert.Multiple(async () =>
        {
            Assert.That(part["assignmentsClosed"]!["ticketDeleted"]!.GetValue<int>(), Is.EqualTo(1), part.ToJsonString());
            Assert.That(_context.App.ServiceNow.RequestCount(ListIncidents), Is.EqualTo(1), "ten tickets are one chunk");
            Assert.That(_context.App.ServiceNow.RequestCount(ReadIncident), Is.EqualTo(1), "one read per missing ticket, none for the nine found");
            Assert.That(part["ticketsUnreadable"]!.GetValue<int>(), Is.Zero);
            Assert.That(part["needsAttention"]!.AsArray(), Is.Empty);
            await AssertClosedAsync(assignments[0], ClosedReason.TicketDeleted);
            await AssertAllLiveAsync(assignments.Skip(1));
        });
    }

    /// <summary>The reproduction of M2: three of three tickets hidden by a row-level ACL were closed as deleted.</summary>
    [TestCase(ServiceNowHiddenRecordAnswer.Forbidden, TestName = "Tickets_a_row_ACL_hides_and_a_read_by_sys_id_answers_403_are_reported_and_nothing_is_closed")]
    [TestCase(ServiceNowHiddenRecordAnswer.EmptyFields, TestName = "Tickets_a_field_ACL_leaves_blank_on_a_read_by_sys_id_are_reported_and_nothing_is_closed")]
    public async Task Unreadable_tickets_are_reported_and_nothing_is_closed(ServiceNowHiddenRecordAnswer answer)
    {
        var (integrationId, assignments) = await IntegrationWithAsync(3);
        _context.App.ServiceNow.HideRows(IntegrationHarness.ServiceUser, "incident", SysIdIn(assignments), answer);
        _context.App.ServiceNow.ResetRequestCounts();

        var run = await _context.Sync.SyncAsync(integrationId, full: true);
        var part = Part(run);

        Assert.Multiple(async () =>
        {
            Assert.That(part["assignmentsClosed"]!.AsObject(), Is.Empty, part.ToJsonString());
            Assert.That(part["ticketsUnreadable"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(part["errors"]!.AsArray().Select(e => e!["ticket"]!.GetValue<string>()), Is.EquivalentTo(assignments.Select(a => a.Ticket.Number)));
            Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("partiallySucceeded"));
            Assert.That(_context.App.ServiceNow.RequestCount(ReadIncident), Is.EqualTo(3));
            await AssertAllLiveAsync(assignments);
        });
    }

    [Test]
    public async Task A_full_pass_that_would_close_more_than_the_share_closes_none_and_marks_the_integration_for_a_person()
    {
        var (integrationId, assignments) = await IntegrationWithAsync(10);
        foreach (var assignment in assignments.Take(3))
        {
            _context.App.ServiceNow.Delete("incident", assignment.Ticket.SysId!);
        }

        _context.App.ServiceNow.ResetRequestCounts();
        var part = Part(await _context.Sync.SyncAsync(integrationId, full: true));

        var attention = (await _context.Harness.GetAsync(integrationId)).Json["needsAttention"]!.AsArray();
        Assert.Multiple(async () =>
        {
            Assert.That(part["assignmentsClosed"]!.AsObject(), Is.Empty, part.ToJsonString());
            Assert.That(part["closuresWithheld"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(part["needsAttention"]!.AsArray().Single()!["cause"]!.GetValue<string>(), Is.EqualTo("ticketsMissing"));
            Assert.That(part["needsAttention"]![0]!["reason"]!.GetValue<string>(), Does.Contain("3 of 10"));
            Assert.That(attention.Single()!["cause"]!.GetValue<string>(), Is.EqualTo("ticketsMissing"));
            Assert.That(attention[0]!["runId"]!.GetValue<string>(), Is.Not.Empty);
            Assert.That(_context.App.ServiceNow.RequestCount(ReadIncident), Is.EqualTo(3));
            await AssertAllLiveAsync(assignments);
        });

        // A person checked: the losses are real and two of them are accepted by deleting their assignments through the API;
        // one of eight is within the share, so the next full pass closes it and settles the mark.
        foreach (var assignment in assignments.Take(2))
        {
            var deleted = await _context.Harness.Record(FunctionCall.InvokeAsync(
                FunctionCall.Request("DELETE", $"/api/assignments/{assignment.Id}"),
                r => _context.App.Function<DefenderSnow.Functions.Assignments.AssignmentFunctions>().Delete(r, assignment.Id, CancellationToken.None)));
            Assert.That(deleted.Status, Is.EqualTo(204), deleted.ToString());
        }

        var again = Part(await _context.Sync.SyncAsync(integrationId, full: true));
        Assert.Multiple(async () =>
        {
            Assert.That(again["assignmentsClosed"]!["ticketDeleted"]!.GetValue<int>(), Is.EqualTo(1), again.ToJsonString());
            Assert.That((await _context.Harness.GetAsync(integrationId)).Json["needsAttention"]!.AsArray(), Is.Empty);
        });
    }

    /// <summary>A rule that answers 404 for what it hides (a before-query business rule, domain separation) cannot be told from a deletion on the wire: the share bounds it.</summary>
    [Test]
    public async Task Tickets_hidden_behind_a_404_look_deleted_and_the_share_keeps_them_open()
    {
        var (integrationId, assignments) = await IntegrationWithAsync(3);
        _context.App.ServiceNow.HideRows(IntegrationHarness.ServiceUser, "incident", SysIdIn(assignments), ServiceNowHiddenRecordAnswer.NotFound);

        var part = Part(await _context.Sync.SyncAsync(integrationId, full: true));

        Assert.That(part["closuresWithheld"]!.GetValue<int>(), Is.EqualTo(3), part.ToJsonString());
        await AssertAllLiveAsync(assignments);
    }

    [Test]
    public async Task An_empty_findings_list_for_a_subscription_with_live_assignments_closes_none_and_marks_the_integration()
    {
        var subscription = "/subscriptions/" + Guid.NewGuid().ToString("D");
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var assignments = new List<Assignment>();
        for (var i = 0; i < 3; i++)
        {
            assignments.Add(await _context.Sync.Assignments.CreateAsync(integrationId, resourceId: LiveAssignments.NewResourceId(subscription)));
        }

        // Defender answers the subscription's listing with success and no findings at all.
        foreach (var assignment in assignments)
        {
            Assert.That(_context.App.ResourceManager.State.RemoveAssessment(assignment.ResourceId, assignment.AssessmentName), Is.True);
        }

        _context.App.ServiceNow.ResetRequestCounts();
        var part = Part(await _context.Sync.SyncAsync(integrationId));

        var attention = (await _context.Harness.GetAsync(integrationId)).Json["needsAttention"]!.AsArray();
        Assert.Multiple(async () =>
        {
            Assert.That(part["assignmentsClosed"]!.AsObject(), Is.Empty, part.ToJsonString());
            Assert.That(part["closuresWithheld"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(part["needsAttention"]!.AsArray().Single()!["reason"]!.GetValue<string>(), Does.Contain("no findings at all"));
            Assert.That(attention.Single()!["cause"]!.GetValue<string>(), Is.EqualTo("findingsMissing"));
            await AssertAllLiveAsync(assignments);
            Assert.That(_context.App.ServiceNow.RequestCounts.Keys.Where(k => k.StartsWith("PATCH", StringComparison.Ordinal)), Is.Empty, "no ticket was told");
        });
    }

    [Test]
    public async Task Findings_gone_for_more_than_the_share_close_none()
    {
        var (integrationId, assignments) = await IntegrationWithAsync(5);
        foreach (var assignment in assignments.Take(2))
        {
            _context.App.ResourceManager.State.RemoveAssessment(assignment.ResourceId, assignment.AssessmentName);
        }

        var part = Part(await _context.Sync.SyncAsync(integrationId));

        Assert.Multiple(async () =>
        {
            Assert.That(part["closuresWithheld"]!.GetValue<int>(), Is.EqualTo(2), part.ToJsonString());
            Assert.That(part["needsAttention"]!.AsArray().Single()!["reason"]!.GetValue<string>(), Does.Contain("2 of 5"));
            await AssertAllLiveAsync(assignments);
        });
    }

    /// <summary>The benchmark's full reconciliation reads tickets only in chunks: confirming costs nothing while nothing is missing.</summary>
    [Test]
    public async Task A_full_pass_with_nothing_missing_reads_only_chunks_and_no_ticket_on_its_own()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        _context.App.ResourceManager.State.Throttling.Configure(ThrottledRequestKind.Read, 1_000_000, 1_000_000);
        _context.App.ResourceManager.State.Throttling.Configure(ThrottledRequestKind.Write, 1_000_000, 1_000_000);
        var assignments = await _context.Sync.Assignments.CreateManyAsync(integrationId, 330, IntegrationHarness.SubscriptionScope);
        _context.App.ServiceNow.ResetRequestCounts();

        var part = Part(await _context.Sync.SyncAsync(integrationId, full: true));

        // 110 tickets in each of the three tables: two chunks of sys_ids each (ReadChunkSize 100), nothing else.
        var lists = new[] { ListIncidents, "GET /api/now/table/problem", "GET /api/now/table/change_request" };
        Assert.Multiple(() =>
        {
            Assert.That(part["ticketsExamined"]!.GetValue<int>(), Is.EqualTo(assignments.Length), part.ToJsonString());
            Assert.That(lists.Select(_context.App.ServiceNow.RequestCount), Is.EqualTo(TwoChunksEach));
            // The pass also reads the instance's choices, fields and query dates (sys_choice, sys_dictionary, sys_user,
            // sys_properties), none of them a ticket.
            Assert.That(_context.App.ServiceNow.RequestCounts.Keys.Where(k => k.EndsWith("/{sys_id}", StringComparison.Ordinal)), Is.Empty, "no read of a single ticket");
        });
    }

    private async Task<(string IntegrationId, Assignment[] Assignments)> IntegrationWithAsync(int count)
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var recommendation = _context.Sync.Assignments.NewRecommendation();
        var assignments = new Assignment[count];
        for (var i = 0; i < count; i++)
        {
            assignments[i] = await _context.Sync.Assignments.CreateAsync(integrationId, recommendation: recommendation);
        }

        return (integrationId, assignments);
    }

    private static string SysIdIn(IEnumerable<Assignment> assignments) => "sys_idIN" + string.Join(",", assignments.Select(a => a.Ticket.SysId));

    private static JsonNode Part(JsonNode run) => run["integrations"]![0]!;

    private async Task AssertAllLiveAsync(IEnumerable<Assignment> assignments)
    {
        foreach (var assignment in assignments)
        {
            Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(AssignmentStatus.Active), assignment.Ticket.Number);
            Assert.That(_context.Sync.Governance(assignment), Is.Not.Null, $"the governance assignment of {assignment.Ticket.Number} is kept");
        }
    }

    private async Task AssertClosedAsync(Assignment assignment, ClosedReason reason)
    {
        var stored = await _context.Sync.StoredAsync(assignment);
        Assert.That((stored.Status, stored.ClosedReason), Is.EqualTo((AssignmentStatus.Closed, (ClosedReason?)reason)), assignment.Ticket.Number);
        Assert.That(_context.Sync.Governance(assignment), Is.Null);
    }
}
