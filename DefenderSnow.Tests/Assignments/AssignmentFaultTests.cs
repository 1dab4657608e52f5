using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Defender;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Assignments;

/// <summary>
/// Faults during CreateAssignment: each failure is a clear problem and leaves at most a pending assignment, which the
/// retried request completes with the same ticket; ServiceNow never ends up with two live tickets for one assignment.
/// </summary>
public sealed class AssignmentFaultTests : IUsesHarness
{
    private readonly InterceptingDefenderClient.Hook _hook = new();
    private IntegrationHarness _harness = null!;
    private AssignmentDriver _assignments = null!;

    IntegrationHarness? IUsesHarness.Harness => _harness;

    /// <summary>Short attempt timeouts, so a hung upstream call fails fast; every Defender call passes through the hook.</summary>
    [OneTimeSetUp]
    public async Task StartAppWithHookedDefender()
    {
        _assignments = await AssignmentDriver.StartAsync(
            settings =>
            {
                settings["ServiceNow:AttemptTimeout"] = "00:00:01";
                settings["Defender:AttemptTimeout"] = "00:00:00.500";
            },
            services => services.AddSingleton<IDefenderClientFactory>(sp => new InterceptingDefenderClient.Factory(ActivatorUtilities.CreateInstance<DefenderClientFactory>(sp), _hook)));
        _harness = _assignments.Harness;
    }

    [Test]
    public async Task A_crash_after_the_ticket_was_created_is_completed_by_the_retry_with_that_ticket()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        _hook.BeforeNextPut = () => throw new InvalidOperationException("Simulated process death before the governance assignment was written.");

        var crashed = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource));

        Assert.That(crashed.Status, Is.EqualTo(500), crashed.ToString());
        var pending = (await _harness.App.Get<IAssignmentStore>().FindLiveAsync(integration, AssignmentDriver.Assessment, resource, CancellationToken.None))!.Value;
        Assert.That(pending.Status, Is.EqualTo(AssignmentStatus.Pending));
        Assert.That(_assignments.TicketsOf(pending.Id), Has.Count.EqualTo(1), "the ticket was created before the crash");

        // While the crashed request's claim lasts, a retry shows the pending assignment and touches nothing.
        var early = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource));
        Assert.That(early.Status, Is.EqualTo(200), early.ToString());
        Assert.That(early.Json["status"]!.GetValue<string>(), Is.EqualTo("pending"));

        _assignments.Clock.Advance(AssignmentCreation.ClaimDuration + TimeSpan.FromSeconds(1));
        var retried = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource));

        Assert.That(retried.Status, Is.EqualTo(201), retried.ToString());
        Assert.That(retried.Json["id"]!.GetValue<string>(), Is.EqualTo(pending.Id));
        Assert.That(retried.Json["ticket"]!["sysId"]!.GetValue<string>(), Is.EqualTo(_assignments.TicketsOf(pending.Id)[0]["sys_id"]));
        await _assignments.AssertActiveEverywhereAsync(pending.Id);
    }

    [TestCase(500, 0)]
    [TestCase(503, 0)]
    [TestCase(429, 1)]
    public async Task Resource_Manager_failing_on_the_governance_assignment_is_502_and_the_retry_completes_it(int status, int retryAfterSeconds)
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        _harness.App.ResourceManager.Faults.FailNext(
            10, status, ResourceManagerOperations.PutGovernanceAssignment, retryAfterSeconds > 0 ? TimeSpan.FromSeconds(retryAfterSeconds) : null);

        var failed = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource));

        Assert.That(failed.Status, Is.EqualTo(502), failed.ToString());
        Assert.That(failed.ContentType, Does.StartWith("application/problem+json"));
        Assert.That(failed.Json["detail"]!.GetValue<string>(), Does.Contain("Resource Manager"));
        var pending = (await _harness.App.Get<IAssignmentStore>().FindLiveAsync(integration, AssignmentDriver.Assessment, resource, CancellationToken.None))!.Value;
        Assert.That(pending.Status, Is.EqualTo(AssignmentStatus.Pending));
        Assert.That(_assignments.GovernanceOf(resource, pending.Id), Is.Null);

        _harness.App.ResourceManager.Faults.Clear();
        var retried = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource));

        Assert.That(retried.Status, Is.EqualTo(201), retried.ToString());
        Assert.That(retried.Json["id"]!.GetValue<string>(), Is.EqualTo(pending.Id));
        Assert.That(retried.Json["ticket"]!["number"]!.GetValue<string>(), Is.EqualTo(pending.Ticket.Number));
        await _assignments.AssertActiveEverywhereAsync(pending.Id);
    }

    [Test]
    public async Task Resource_Manager_timing_out_on_the_governance_assignment_is_502_and_the_retry_completes_it()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        _harness.App.ResourceManager.Faults.DelayNext(SimulatorFaults.Always, TimeSpan.FromSeconds(2), ResourceManagerOperations.PutGovernanceAssignment);

        var failed = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource));

        _harness.App.ResourceManager.Faults.Clear();
        Assert.That(failed.Status, Is.EqualTo(502), failed.ToString());
        var retried = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource));
        Assert.That(retried.Status, Is.EqualTo(201), retried.ToString());
        await _assignments.AssertActiveEverywhereAsync(retried.Json["id"]!.GetValue<string>());
    }

    [Test]
    public async Task Resource_Manager_down_is_502_resource_manager_unreachable_and_creates_nothing_until_it_is_back()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        var ticketsBefore = _assignments.AllTicketCount();
        _harness.App.ResourceManager.Faults.DropNext(SimulatorFaults.Always);

        var failed = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource));

        _harness.App.ResourceManager.Faults.Clear();
        Assert.Multiple(() =>
        {
            Assert.That(failed.Status, Is.EqualTo(502), failed.ToString());
            Assert.That(failed.ContentType, Does.StartWith("application/problem+json"));
            // The title is ResourceManagerUnreachableException's, the detail says which call did not get through.
            Assert.That(failed.Json["title"]!.GetValue<string>(), Is.EqualTo("Resource Manager is unreachable"));
            Assert.That(failed.Json["detail"]!.GetValue<string>(), Does.StartWith("Resource Manager could not be reached"));
            _assignments.AssertNothingUpstream(resource, ticketsBefore);
        });
        var retried = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource));
        Assert.That(retried.Status, Is.EqualTo(201), retried.ToString());
        await _assignments.AssertActiveEverywhereAsync(retried.Json["id"]!.GetValue<string>());
    }

    [Test]
    public async Task ServiceNow_throttling_the_create_makes_one_ticket()
    {
        var integration = await _harness.CreateIntegrationAsync();
        _harness.App.ServiceNow.Faults.RateLimitNext(2, TimeSpan.FromSeconds(1), endpoint: "POST /api/now/table/incident");

        var created = await _assignments.CreateActiveAsync(integration, _assignments.UnhealthyResource());

        await _assignments.AssertActiveEverywhereAsync(created["id"]!.GetValue<string>());
    }

    [Test]
    public async Task ServiceNow_failing_the_create_before_doing_it_makes_one_ticket()
    {
        var integration = await _harness.CreateIntegrationAsync();
        _harness.App.ServiceNow.Faults.FailNext(1, 503, "POST /api/now/table/incident");

        var created = await _assignments.CreateActiveAsync(integration, _assignments.UnhealthyResource());

        await _assignments.AssertActiveEverywhereAsync(created["id"]!.GetValue<string>());
    }

    [Test]
    public async Task ServiceNow_losing_the_answer_after_creating_the_ticket_makes_one_ticket()
    {
        var integration = await _harness.CreateIntegrationAsync();
        _harness.App.ServiceNow.Faults.FailAfterCommitNext(1, "POST /api/now/table/incident");

        var created = await _assignments.CreateActiveAsync(integration, _assignments.UnhealthyResource());

        await _assignments.AssertActiveEverywhereAsync(created["id"]!.GetValue<string>());
    }

    [Test]
    public async Task ServiceNow_failing_every_create_is_502_and_the_retry_completes_the_same_assignment_with_one_ticket()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        _harness.App.ServiceNow.Faults.FailNext(10, 503, "POST /api/now/table/incident");

        var failed = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource));

        Assert.That(failed.Status, Is.EqualTo(502), failed.ToString());
        Assert.That(failed.Json["detail"]!.GetValue<string>(), Does.Contain("ServiceNow"));
        var pending = (await _harness.App.Get<IAssignmentStore>().FindLiveAsync(integration, AssignmentDriver.Assessment, resource, CancellationToken.None))!.Value;
        Assert.That(pending.Status, Is.EqualTo(AssignmentStatus.Pending));
        Assert.That(pending.Ticket.SysId, Is.Null);
        Assert.That(_assignments.TicketsOf(pending.Id), Is.Empty);
        Assert.That(_assignments.GovernanceOf(resource, pending.Id), Is.Null);

        _harness.App.ServiceNow.Faults.Clear();
        var retried = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource));

        Assert.That(retried.Status, Is.EqualTo(201), retried.ToString());
        Assert.That(retried.Json["id"]!.GetValue<string>(), Is.EqualTo(pending.Id));
        await _assignments.AssertActiveEverywhereAsync(pending.Id);
    }

    [Test]
    public async Task A_create_committed_after_our_look_up_leaves_one_live_ticket_and_cancels_the_other()
    {
        var integration = await _harness.CreateIntegrationAsync();
        _harness.App.ServiceNow.Faults.CommitLateNext(1, "POST /api/now/table/incident");

        var created = await _assignments.CreateActiveAsync(integration, _assignments.UnhealthyResource());

        var id = created["id"]!.GetValue<string>();
        var tickets = _assignments.TicketsOf(id);
        Assert.That(tickets, Has.Count.EqualTo(2), "the late commit and the re-sent create");
        var live = tickets.Where(t => t["state"] != "8").ToList();
        Assert.That(live, Has.Count.EqualTo(1), "one ticket stays open");
        var canceled = tickets.Single(t => t["state"] == "8");
        Assert.That(created["ticket"]!["sysId"]!.GetValue<string>(), Is.EqualTo(live[0]["sys_id"]));
        Assert.That(int.Parse(canceled["number"][3..]), Is.GreaterThan(int.Parse(live[0]["number"][3..])), "the older ticket is kept");
        Assert.That(canceled["sys_mod_count"], Is.EqualTo("1"), "canceled with its work note in one update");
        Assert.That(_harness.App.ServiceNow.JournalOf("incident", canceled["sys_id"]).Single().Value, Does.Contain($"duplicates {live[0]["number"]}"));
        var stored = await _assignments.StoredAsync(id);
        Assert.That(stored!.Ticket.SysId, Is.EqualTo(live[0]["sys_id"]));
        Assert.That(_assignments.GovernanceOf(stored.ResourceId, id)!.TicketLink, Does.Contain(live[0]["sys_id"]));
    }

    [Test]
    public async Task A_duplicate_that_lands_after_the_first_look_is_canceled_before_the_assignment_becomes_active()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        var late = new List<IReadOnlyDictionary<string, string>>();
        _hook.BeforeNextPut = () =>
        {
            // The timed-out create of an earlier attempt commits now, after the ticket was found or opened.
            late.Add(_harness.App.ServiceNow.CreateTicket("incident", SameFindingAs(resource), asUser: IntegrationHarness.ServiceUser));
            return Task.CompletedTask;
        };

        var created = await _assignments.CreateActiveAsync(integration, resource);

        var id = created["id"]!.GetValue<string>();
        var tickets = _assignments.TicketsOf(id);
        Assert.That(tickets, Has.Count.EqualTo(2));
        Assert.That(tickets.Single(t => t["sys_id"] == late[0]["sys_id"])["state"], Is.EqualTo("8"), "the late one is canceled");
        Assert.That(tickets.Single(t => t["sys_id"] != late[0]["sys_id"])["state"], Is.EqualTo("1"));
        Assert.That(created["ticket"]!["sysId"]!.GetValue<string>(), Is.Not.EqualTo(late[0]["sys_id"]));
    }

    [Test]
    public async Task An_older_ticket_that_lands_after_the_governance_write_is_left_and_the_ticket_Defender_shows_stays_open()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        var older = new List<IReadOnlyDictionary<string, string>>();
        _hook.BeforeNextPut = () =>
        {
            // A create of an earlier attempt, begun a minute ago, commits only now: it lands last but sorts first. Once the
            // governance assignment shows our ticket, that one must not be the one canceled.
            older.Add(_harness.App.ServiceNow.CreateTicketBegunAgo("incident", SameFindingAs(resource), TimeSpan.FromMinutes(1), asUser: IntegrationHarness.ServiceUser));
            return Task.CompletedTask;
        };

        var created = await _assignments.CreateActiveAsync(integration, resource);

        var id = created["id"]!.GetValue<string>();
        var tickets = _assignments.TicketsOf(id);
        var ours = tickets.Single(t => t["sys_id"] != older[0]["sys_id"]);
        var stored = await _assignments.StoredAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(tickets, Has.Count.EqualTo(2));
            Assert.That(ours["state"], Is.EqualTo("1"), "the ticket the governance assignment links stays open");
            Assert.That(tickets.Single(t => t["sys_id"] == older[0]["sys_id"])["state"], Is.EqualTo("1"), "the older one is left for sync to see");
            Assert.That(created["ticket"]!["sysId"]!.GetValue<string>(), Is.EqualTo(ours["sys_id"]));
            Assert.That(stored!.Ticket.SysId, Is.EqualTo(ours["sys_id"]));
            Assert.That(_assignments.GovernanceOf(resource, id)!.TicketLink, Does.Contain(ours["sys_id"]));
        });
    }

    [Test]
    public async Task An_expired_access_token_is_renewed_between_steps()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        _harness.App.ServiceNow.Faults.UnauthorizedNext(1, "POST /api/now/table/incident");
        _harness.App.ServiceNow.ResetRequestCounts();

        var created = await _assignments.CreateActiveAsync(integration, resource);

        await _assignments.AssertActiveEverywhereAsync(created["id"]!.GetValue<string>());
        Assert.That(_harness.App.ServiceNow.TokenRequests("refresh_token") + _harness.App.ServiceNow.TokenRequests("password"), Is.GreaterThanOrEqualTo(1), "a new token was fetched");
    }

    [Test]
    public async Task An_update_that_loses_a_race_with_another_writer_is_409_and_keeps_the_other_writers_change()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var id = (await _assignments.CreateActiveAsync(integration, _assignments.UnhealthyResource()))["id"]!.GetValue<string>();
        var store = _harness.App.Get<IAssignmentStore>();
        _hook.BeforeNextPut = async () =>
        {
            // A sync run writes the assignment between the update's read and its write.
            var read = (await store.FindAsync(id, CancellationToken.None))!;
            await store.UpdateAsync(read with { Value = read.Value with { LastSyncedAt = _assignments.Clock.GetUtcNow() } }, CancellationToken.None);
        };

        var response = await _assignments.UpdateAssignmentAsync(id, new { gracePeriod = false });

        Assert.That(response.Status, Is.EqualTo(409), response.ToString());
        var stored = await _assignments.StoredAsync(id);
        Assert.That(stored!.LastSyncedAt, Is.Not.Null, "the other writer's change survives");
        Assert.That(stored.GracePeriod, Is.True, "the losing update is not stored");
    }

    [Test]
    public async Task An_integration_delete_that_closes_a_pending_assignment_mid_create_leaves_no_governance_assignment()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var resource = _assignments.UnhealthyResource();
        var store = _harness.App.Get<IAssignmentStore>();
        _hook.BeforeNextPut = async () =>
        {
            // DeleteIntegration closes every live assignment, the pending one of this request too.
            await foreach (var live in store.ListLiveAsync(integration, CancellationToken.None))
            {
                await store.CloseAsync(live, ClosedReason.IntegrationDeleted, _assignments.Clock.GetUtcNow(), CancellationToken.None);
            }
        };

        var response = await _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, resource));

        Assert.That(response.Status, Is.EqualTo(409), response.ToString());
        Assert.That(_harness.App.ResourceManager.State.GovernanceAssignments.Where(g => g.ResourceId == resource), Is.Empty);
    }

    [Test]
    public async Task Parallel_creates_survive_expired_tokens_and_a_rotating_refresh_token()
    {
        var integration = await _harness.CreateIntegrationAsync();
        var settings = _harness.App.ServiceNow.TokenSettings;
        _harness.App.ServiceNow.SetTokenSettings(settings with { RefreshTokenRotation = RefreshTokenRotation.Rotate });
        try
        {
            _harness.App.ServiceNow.ExpireAccessTokens();
            _harness.App.ServiceNow.ResetRequestCounts();

            var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _assignments.CreateAssignmentAsync(AssignmentDriver.AssignmentBody(integration, _assignments.UnhealthyResource()))));

            Assert.That(responses.Select(r => r.Status), Is.All.EqualTo(201), string.Join("\n", responses.Select(r => r.ToString())));
            foreach (var response in responses)
            {
                await _assignments.AssertActiveEverywhereAsync(response.Json["id"]!.GetValue<string>());
            }

            Assert.That(_harness.App.ServiceNow.TokenRequests("refresh_token"), Is.EqualTo(1), "one renewal shared by the parallel requests");
        }
        finally
        {
            _harness.App.ServiceNow.SetTokenSettings(settings);
        }
    }

    /// <summary>The fields a create of another attempt for the finding of <paramref name="resource"/> carries: our ticket's id and title.</summary>
    private Dictionary<string, string> SameFindingAs(string resource)
    {
        var ours = _harness.App.ServiceNow.ListTickets("incident").Single(t => t["short_description"].EndsWith(resource[(resource.LastIndexOf('/') + 1)..], StringComparison.Ordinal));
        return new Dictionary<string, string>
        {
            ["short_description"] = ours["short_description"],
            ["correlation_id"] = ours["correlation_id"],
            ["correlation_display"] = "DefenderSnow",
        };
    }
}
