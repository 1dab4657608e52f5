using DefenderSnow.Core.Assignments;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.Rules;

/// <summary>
/// Rules evaluated on demand and by sync runs open assignments for new unhealthy findings, checked in ServiceNow,
/// Defender and Table Storage afterwards.
/// </summary>
[TestFixture]
public sealed class RuleEvaluationTests
{
    private IntegrationHarness _harness = null!;
    private SyncDriver _sync = null!;
    private RuleDriver _rules = null!;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _harness = await IntegrationHarness.StartAsync(SyncDriver.AdjustSettings);
        _sync = new SyncDriver(_harness);
        _rules = new RuleDriver(_harness, _sync);
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _harness.DisposeAsync();

    [SetUp]
    public void MarkLogsAndClearFaults()
    {
        _harness.MarkLogsAndForgetResponses();
        _rules.ClearFaults();
    }

    [TearDown]
    public Task NoSecretInLogsResponsesOrTables() => _harness.AssertNoSecretInLogsResponsesOrTablesAsync();

    [Test]
    public async Task Each_unhealthy_finding_of_the_rule_gets_one_assignment_through_the_create_path()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _rules.NewRecommendation();
        var other = _rules.NewRecommendation();
        var first = _rules.SeedFinding(subscription, recommendation);
        var second = _rules.SeedFinding(subscription, recommendation);
        _rules.SeedFinding(subscription, recommendation, SimulatedAssessmentStatus.Healthy);
        _rules.SeedFinding(subscription, recommendation, SimulatedAssessmentStatus.NotApplicable);
        _rules.SeedFinding(subscription, other);
        var ruleId = await _rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation));

        var evaluation = await _rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 2, waiting: 0);
        Assert.That(evaluation["tickets"]!.AsArray().Select(t => t!["resourceId"]!.GetValue<string>()), Is.EquivalentTo(new[] { first, second }));

        var stored = await _rules.StoredAssignmentsAsync(integrationId);
        Assert.That(stored.Select(a => a.ResourceId), Is.EquivalentTo(new[] { first, second }));
        foreach (var assignment in stored)
        {
            _rules.AssertOpenedEverywhere(assignment, ruleId, SyncDriver.OwnerAEmail, _sync.OwnerASysId);
            Assert.That(assignment.CreatedBy, Is.EqualTo($"rule:{ruleId}"));
        }

        // Findings with a live assignment are done: a second evaluation opens nothing and writes nothing.
        var before = await StateSnapshot.TakeAsync(_harness.App);
        await _rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 0, waiting: 0);
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
    }

    [Test]
    public async Task Each_condition_keeps_out_the_findings_that_do_not_meet_it()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var high = _rules.NewRecommendation(SimulatedSeverity.High);
        var medium = _rules.NewRecommendation(SimulatedSeverity.Medium);
        var low = _rules.NewRecommendation(SimulatedSeverity.Low);
        var prod = new Dictionary<string, string> { ["Env"] = "prod" };

        // The one finding that meets every condition, and one per condition that fails only that one.
        var match = _rules.SeedFinding(subscription, medium, resourceGroup: "rg-app", tags: prod);
        _rules.SeedFinding(subscription, low, resourceGroup: "rg-app", tags: prod);
        _rules.SeedFinding(subscription, medium, type: RuleDriver.Storage, resourceGroup: "rg-app", tags: prod);
        _rules.SeedFinding(subscription, medium, resourceGroup: "rg-other", tags: prod);
        _rules.SeedFinding(subscription, medium, resourceGroup: "rg-app", tags: new Dictionary<string, string> { ["env"] = "Prod" });
        _rules.SeedFinding(subscription, medium, resourceGroup: "rg-app");
        _rules.SeedFinding(subscription, high, resourceGroup: "rg-app", tags: prod);

        var ruleId = await _rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(conditions: new Dictionary<string, object?>
        {
            ["assessmentNames"] = new[] { medium, low },
            ["minimumSeverity"] = "Medium",
            ["resourceType"] = RuleDriver.Vm.ToLowerInvariant(),
            ["scope"] = subscription + "/resourceGroups/rg-app",
            ["tag"] = new Dictionary<string, object?> { ["name"] = "env", ["value"] = "prod" },
        }));

        var evaluation = await _rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 1, waiting: 0);
        Assert.That(evaluation["tickets"]![0]!["resourceId"]!.GetValue<string>(), Is.EqualTo(match));
        Assert.That((await _rules.StoredAssignmentsAsync(integrationId)).Select(a => a.ResourceId), Is.EqualTo(new[] { match }));
    }

    [Test]
    public async Task Findings_outside_the_integrations_scope_and_other_subscriptions_are_left_alone()
    {
        var subscription = RuleDriver.NewSubscription();
        var elsewhere = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _rules.NewRecommendation();
        var inside = _rules.SeedFinding(subscription, recommendation);
        _rules.SeedFinding(elsewhere, recommendation);
        var ruleId = await _rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody());

        await _rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 1, waiting: 0);
        Assert.That((await _rules.StoredAssignmentsAsync(integrationId)).Select(a => a.ResourceId), Is.EqualTo(new[] { inside }));
        Assert.That(_harness.App.ResourceManager.State.GovernanceAssignments.Where(g => g.ResourceId.StartsWith(elsewhere, StringComparison.OrdinalIgnoreCase)), Is.Empty);
    }

    [Test]
    public async Task The_first_matching_rule_by_priority_wins()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _rules.NewRecommendation();
        var resource = _rules.SeedFinding(subscription, recommendation);
        var broad = await _rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(priority: 50));
        var narrow = RuleDriver.RuleBody(recommendation, priority: 5);
        narrow["owner"] = new Dictionary<string, object?> { ["source"] = "user", ["user"] = SyncDriver.OwnerB };
        var first = await _rules.CreateRuleIdAsync(integrationId, narrow);

        // The broad rule matches too, but the finding belongs to the rule that comes first.
        await _rules.EvaluateExpectingAsync(integrationId, broad, opened: 0, waiting: 0);
        Assert.That(await _rules.StoredAssignmentsAsync(integrationId), Is.Empty);

        await _rules.EvaluateExpectingAsync(integrationId, first, opened: 1, waiting: 0);
        var stored = (await _rules.StoredAssignmentsAsync(integrationId)).Single();
        Assert.That(stored.ResourceId, Is.EqualTo(resource));
        _rules.AssertOpenedEverywhere(stored, first, SyncDriver.OwnerBEmail, _sync.OwnerBSysId);
    }

    [Test]
    public async Task A_rule_opens_at_most_its_cap_per_run_and_reports_the_rest_as_waiting()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _rules.NewRecommendation();
        for (var i = 0; i < 5; i++)
        {
            _rules.SeedFinding(subscription, recommendation);
        }

        var body = RuleDriver.RuleBody(recommendation);
        body["maxTicketsPerRun"] = 2;
        var ruleId = await _rules.CreateRuleIdAsync(integrationId, body);

        await _rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 2, waiting: 3);
        Assert.That(await _rules.StoredAssignmentsAsync(integrationId), Has.Count.EqualTo(2));
        Assert.That(_harness.App.ServiceNow.ListTickets("incident").Count(t => (t.GetValueOrDefault("correlation_display") ?? string.Empty).StartsWith("DefenderSnow", StringComparison.Ordinal)
            && t["correlation_id"] is { } id && id.Length == 32), Is.GreaterThanOrEqualTo(2));

        // A sync run evaluates the rule too, with the same cap, and says how many wait.
        var run = await _sync.SyncAsync(integrationId);
        var part = run["integrations"]![0]!;
        Assert.That((part["ruleTicketsOpened"]!.GetValue<int>(), part["ruleTicketsWaiting"]!.GetValue<int>()), Is.EqualTo((2, 1)), run.ToJsonString());
        Assert.That(part["errors"]!.AsArray(), Is.Empty, run.ToJsonString());

        var last = await _sync.SyncAsync(integrationId);
        var lastPart = last["integrations"]![0]!;
        Assert.That((lastPart["ruleTicketsOpened"]!.GetValue<int>(), lastPart["ruleTicketsWaiting"]!.GetValue<int>()), Is.EqualTo((1, 0)), last.ToJsonString());
        var stored = await _rules.StoredAssignmentsAsync(integrationId);
        Assert.That(stored, Has.Count.EqualTo(5));
        Assert.That(stored.Select(a => a.FindingKey).Distinct().Count(), Is.EqualTo(5), "one assignment per finding");
        Assert.That(stored.Select(_sync.Governance), Has.All.Not.Null);
    }

    [Test]
    public async Task A_dry_run_lists_what_would_be_opened_and_changes_nothing_anywhere()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _rules.NewRecommendation();
        var resources = new[] { _rules.SeedFinding(subscription, recommendation), _rules.SeedFinding(subscription, recommendation), _rules.SeedFinding(subscription, recommendation) };
        var body = RuleDriver.RuleBody(recommendation);
        body["maxTicketsPerRun"] = 2;
        var ruleId = await _rules.CreateRuleIdAsync(integrationId, body);

        var before = await StateSnapshot.TakeAsync(_harness.App);
        var fromQuery = await _rules.EvaluateAsync(integrationId, ruleId, "?dryRun=true");
        var fromBody = await _rules.EvaluateAsync(integrationId, ruleId, body: new { dryRun = true });
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before), "ServiceNow, Defender and Table Storage are untouched");

        foreach (var response in new[] { fromQuery, fromBody })
        {
            Assert.That(response.Status, Is.EqualTo(200), response.ToString());
            Assert.That(response.Json["dryRun"]!.GetValue<bool>(), Is.True);
            Assert.That((response.Json["opened"]!.GetValue<int>(), response.Json["waiting"]!.GetValue<int>()), Is.EqualTo((2, 1)));
            var tickets = response.Json["tickets"]!.AsArray();
            Assert.That(tickets.Select(t => t!["resourceId"]!.GetValue<string>()), Is.SubsetOf(resources));
            Assert.That(tickets.Select(t => t!["assignmentId"]), Has.All.Null);
            Assert.That(tickets.Select(t => t!["owner"]!.GetValue<string>()), Has.All.EqualTo(SyncDriver.OwnerAEmail));
        }

        Assert.That((await _rules.EvaluateAsync(integrationId, ruleId, "?dryRun=maybe")).Status, Is.EqualTo(400));
        Assert.That((await _rules.EvaluateAsync(integrationId, ruleId, "?dryRun=true", new { dryRun = true })).Status, Is.EqualTo(400));
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
    }

    [Test]
    public async Task The_owner_comes_from_the_resource_tag_when_it_names_a_servicenow_user_and_from_the_fallback_otherwise()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _rules.NewRecommendation();
        var tagged = _rules.SeedFinding(subscription, recommendation, tags: new Dictionary<string, string> { ["Owner"] = SyncDriver.OwnerBEmail });
        var unknown = _rules.SeedFinding(subscription, recommendation, tags: new Dictionary<string, string> { ["owner"] = "left.the.company@contoso.example" });
        var noEmail = _rules.SeedFinding(subscription, recommendation, tags: new Dictionary<string, string> { ["owner"] = "not an address" });
        var untagged = _rules.SeedFinding(subscription, recommendation);
        var ruleId = await _rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation, owner: new Dictionary<string, object?>
        {
            ["source"] = "resourceTag",
            ["tagName"] = "owner",
            ["fallbackUser"] = SyncDriver.OwnerA,
        }));

        var dryRun = await _rules.EvaluateAsync(integrationId, ruleId, "?dryRun=true");
        Assert.That(dryRun.Json["tickets"]!.AsArray().Single(t => t!["resourceId"]!.GetValue<string>() == tagged)!["owner"]!.GetValue<string>(), Is.EqualTo(SyncDriver.OwnerBEmail));

        await _rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 4, waiting: 0);
        var stored = (await _rules.StoredAssignmentsAsync(integrationId)).ToDictionary(a => a.ResourceId, StringComparer.OrdinalIgnoreCase);
        _rules.AssertOpenedEverywhere(stored[tagged], ruleId, SyncDriver.OwnerBEmail, _sync.OwnerBSysId);
        foreach (var resource in new[] { unknown, noEmail, untagged })
        {
            _rules.AssertOpenedEverywhere(stored[resource], ruleId, SyncDriver.OwnerAEmail, _sync.OwnerASysId);
        }

        // Tags are read in bulk: one Resources_List per subscription and evaluation, whatever the number of resources.
        _harness.App.ResourceManager.State.ResetRequestCounts();
        await _rules.EvaluateAsync(integrationId, ruleId, "?dryRun=true");
        Assert.That(_harness.App.ResourceManager.State.RequestCount(ResourceManagerOperations.ListResources), Is.EqualTo(1));
        Assert.That(_harness.App.ResourceManager.State.RequestCount(ResourceManagerOperations.GetAssessment), Is.Zero, "findings are read in bulk, not per resource");
    }

    [Test]
    public async Task A_finding_unhealthy_again_after_its_ticket_was_closed_gets_a_new_ticket_naming_the_previous_one()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _rules.NewRecommendation();
        var resource = _rules.SeedFinding(subscription, recommendation);
        var ruleId = await _rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation));

        var firstRun = await _sync.SyncAsync(integrationId);
        Assert.That(firstRun["integrations"]![0]!["ruleTicketsOpened"]!.GetValue<int>(), Is.EqualTo(1), firstRun.ToJsonString());
        var first = (await _rules.StoredAssignmentsAsync(integrationId)).Single();
        Assert.That(first.FollowsTicket, Is.Null);

        // Someone resolves the ticket, but Defender still sees the finding unhealthy: the next run closes the
        // assignment from the ticket, then its rules open a new ticket that names the old one.
        _harness.App.ServiceNow.Resolve("incident", first.Ticket.SysId!);
        var reopened = await _sync.SyncAsync(integrationId);
        var part = reopened["integrations"]![0]!;
        Assert.That(part["assignmentsClosed"]!["ticketResolved"]!.GetValue<int>(), Is.EqualTo(1), reopened.ToJsonString());
        Assert.That(part["ruleTicketsOpened"]!.GetValue<int>(), Is.EqualTo(1), reopened.ToJsonString());
        Assert.That((await _sync.StoredAsync(first)).Status, Is.EqualTo(AssignmentStatus.Closed));

        var second = (await _rules.StoredAssignmentsAsync(integrationId)).Single(a => a.Status == AssignmentStatus.Active);
        Assert.That((second.ResourceId, second.FollowsTicket), Is.EqualTo((resource, (string?)first.Ticket.Number)));
        _rules.AssertOpenedEverywhere(second, ruleId, SyncDriver.OwnerAEmail, _sync.OwnerASysId);
        var ticket = _harness.App.ServiceNow.GetRecord("incident", second.Ticket.SysId!)!;
        Assert.That(ticket["correlation_display"], Is.EqualTo("DefenderSnow-after-" + first.Ticket.Number));
        Assert.That(ticket["description"], Does.Contain(first.Ticket.Number));
        Assert.That(ticket["number"], Is.Not.EqualTo(first.Ticket.Number));

        // The new ticket is still one of ours to sync: a new assignee reaches Table Storage and Defender.
        _harness.App.ServiceNow.Reassign("incident", second.Ticket.SysId!, SyncDriver.OwnerB);
        var synced = await _sync.SyncAsync(integrationId);
        Assert.That(synced["integrations"]![0]!["ownersChanged"]!.GetValue<int>(), Is.EqualTo(1), synced.ToJsonString());
        Assert.That((await _sync.StoredAsync(second)).AssignedTo, Is.EqualTo(SyncDriver.OwnerBEmail));
        Assert.That(_sync.Governance(second)!.Owner, Is.EqualTo(SyncDriver.OwnerBEmail));
    }

    [Test]
    public async Task A_run_that_closes_on_the_fix_and_evaluates_rules_reads_each_subscriptions_findings_once()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _rules.NewRecommendation();
        var fixedLater = _rules.SeedFinding(subscription, recommendation);
        _rules.SeedFinding(subscription, recommendation);
        await _rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation));
        await _sync.SyncAsync(integrationId);
        Assert.That(await _rules.StoredAssignmentsAsync(integrationId), Has.Count.EqualTo(2));
        _harness.App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(fixedLater, recommendation, SimulatedAssessmentStatus.Healthy));
        var added = _rules.SeedFinding(subscription, recommendation);
        _harness.App.ResourceManager.State.ResetRequestCounts();

        // A full pass compares with the findings (closing on the fix) and evaluates the rule: both from one read.
        var run = await _sync.SyncAsync(integrationId, full: true);

        Assert.That(run["integrations"]![0]!["ruleTicketsOpened"]!.GetValue<int>(), Is.EqualTo(1), run.ToJsonString());
        var stored = await _rules.StoredAssignmentsAsync(integrationId);
        Assert.That(stored.Single(a => a.ResourceId == fixedLater).ClosedReason, Is.EqualTo(ClosedReason.ResourceHealthy));
        Assert.That(stored.Count(a => a.ResourceId == added && a.Status == AssignmentStatus.Active), Is.EqualTo(1));
        Assert.That(_harness.App.ResourceManager.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.EqualTo(1), "one page of findings, read once for both");
    }

    [Test]
    public async Task An_integration_without_rules_costs_its_sync_no_resource_manager_request()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        _rules.SeedFinding(subscription, _rules.NewRecommendation());
        _harness.App.ResourceManager.State.ResetRequestCounts();
        var run = await _sync.SyncAsync(integrationId);
        Assert.That(run["integrations"]![0]!["requests"]!["resourceManager"]!.GetValue<int>(), Is.Zero, run.ToJsonString());
        Assert.That(await _rules.StoredAssignmentsAsync(integrationId), Is.Empty);
    }

    [Test]
    public async Task Grouped_per_recommendation_one_ticket_lists_its_resources_and_each_keeps_its_governance_assignment()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var shared = _rules.NewRecommendation(displayName: "Disks should be encrypted");
        var alone = _rules.NewRecommendation(displayName: "Ports should be closed");
        var resources = new[] { _rules.SeedFinding(subscription, shared), _rules.SeedFinding(subscription, shared), _rules.SeedFinding(subscription, shared) };
        var single = _rules.SeedFinding(subscription, alone);
        var body = RuleDriver.RuleBody(conditions: new Dictionary<string, object?> { ["assessmentNames"] = new[] { shared, alone } });
        body["grouping"] = "perRecommendation";
        var ruleId = await _rules.CreateRuleIdAsync(integrationId, body);
        var ticketsBefore = _harness.App.ServiceNow.ListTickets("incident").Count;

        await _rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 4, waiting: 0);
        Assert.That(_harness.App.ServiceNow.ListTickets("incident").Count - ticketsBefore, Is.EqualTo(2), "one ticket per recommendation");

        var stored = await _rules.StoredAssignmentsAsync(integrationId);
        var group = stored.Where(a => a.AssessmentName == shared).ToList();
        Assert.That(group.Select(a => a.ResourceId), Is.EquivalentTo(resources));
        Assert.That(group.Select(a => a.Ticket.SysId).Distinct().Count(), Is.EqualTo(1), "the members share one ticket");
        Assert.That(group.Select(a => a.GroupId).Distinct().Single(), Is.Not.Null);
        Assert.That(group.Select(a => a.Id).Distinct().Count(), Is.EqualTo(3), "one assignment per resource");
        var ticket = _harness.App.ServiceNow.GetRecord("incident", group[0].Ticket.SysId!)!;
        Assert.That(ticket["correlation_id"], Is.EqualTo(group[0].GroupId));
        Assert.That(ticket["short_description"], Is.EqualTo("Disks should be encrypted on 3 resources"));
        foreach (var member in group)
        {
            Assert.That(ticket["description"], Does.Contain(member.ResourceId));
            var governance = _sync.Governance(member);
            Assert.That(governance, Is.Not.Null, "each resource keeps its governance assignment");
            Assert.That((governance!.Owner, governance.TicketLink), Is.EqualTo(((string?)SyncDriver.OwnerAEmail, member.Ticket.Link)));
            Assert.That(member.Status, Is.EqualTo(AssignmentStatus.Active));
        }

        var other = stored.Single(a => a.AssessmentName == alone);
        Assert.That((other.ResourceId, other.Ticket.SysId), Is.Not.EqualTo((single, group[0].Ticket.SysId)));
        Assert.That(_harness.App.ServiceNow.GetRecord("incident", other.Ticket.SysId!)!["short_description"], Is.EqualTo("Ports should be closed on 1 resource"));

        // Resolving the shared ticket closes every member, in Table Storage and Defender.
        _harness.App.ServiceNow.Resolve("incident", group[0].Ticket.SysId!);
        var run = await _sync.SyncAsync(integrationId);
        Assert.That(run["integrations"]![0]!["assignmentsClosed"]!["ticketResolved"]!.GetValue<int>(), Is.EqualTo(3), run.ToJsonString());
        foreach (var member in group)
        {
            Assert.That((await _sync.StoredAsync(member)).ClosedReason, Is.EqualTo(ClosedReason.TicketResolved));
            Assert.That(_sync.Governance(member), Is.Null);
        }

        Assert.That((await _sync.StoredAsync(other)).Status, Is.EqualTo(AssignmentStatus.Active));
    }

    [Test]
    public async Task A_failure_midway_leaves_the_pending_assignment_which_the_next_evaluation_completes_with_the_same_ticket()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _rules.NewRecommendation();
        var first = _rules.SeedFinding(subscription, recommendation);
        _rules.SeedFinding(subscription, recommendation);
        var ruleId = await _rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation));

        // Resource Manager refuses governance writes past the retries: the first ticket is open, its assignment pending,
        // and the rule stops there; what it did not reach waits.
        _harness.App.ResourceManager.Faults.FailNext(SimulatorFaults.Always, 503, ResourceManagerOperations.PutGovernanceAssignment);
        var failed = await _rules.EvaluateAsync(integrationId, ruleId);
        Assert.That(failed.Status, Is.EqualTo(200), failed.ToString());
        Assert.That((failed.Json["opened"]!.GetValue<int>(), failed.Json["waiting"]!.GetValue<int>()), Is.EqualTo((0, 2)), failed.ToString());
        Assert.That(failed.Json["errors"]!.AsArray(), Has.Count.EqualTo(1));
        var pending = (await _rules.StoredAssignmentsAsync(integrationId)).Single();
        Assert.That(pending.Status, Is.EqualTo(AssignmentStatus.Pending));
        Assert.That(pending.Ticket.SysId, Is.Not.Null, "the ticket was opened before the failure");

        _harness.App.ResourceManager.Faults.Clear();
        await _rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 2, waiting: 0);
        var stored = await _rules.StoredAssignmentsAsync(integrationId);
        Assert.That(stored, Has.Count.EqualTo(2));
        var completed = stored.Single(a => a.Id == pending.Id);
        Assert.That(completed.Ticket.SysId, Is.EqualTo(pending.Ticket.SysId), "the same ticket, not a second one");
        _rules.AssertOpenedEverywhere(completed, ruleId, SyncDriver.OwnerAEmail, _sync.OwnerASysId);
        Assert.That(stored.Select(a => a.ResourceId), Does.Contain(first));
    }

    [Test]
    public async Task A_shared_ticket_is_resolved_on_the_fix_only_when_its_last_resource_is_fixed()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var changed = await _harness.UpdateAsync(integrationId, new Dictionary<string, object?> { ["onResourceHealthy"] = "resolve" });
        Assert.That(changed.Status, Is.EqualTo(200), changed.ToString());
        var recommendation = _rules.NewRecommendation();
        var fixedFirst = _rules.SeedFinding(subscription, recommendation);
        var fixedLater = _rules.SeedFinding(subscription, recommendation);
        var body = RuleDriver.RuleBody(recommendation);
        body["grouping"] = "perRecommendation";
        var ruleId = await _rules.CreateRuleIdAsync(integrationId, body);
        await _rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 2, waiting: 0);
        var sysId = (await _rules.StoredAssignmentsAsync(integrationId)).Select(a => a.Ticket.SysId).Distinct().Single()!;

        _rules.SeedFinding(subscription, recommendation, SimulatedAssessmentStatus.Healthy, resourceId: fixedFirst);
        await _sync.SyncAsync(integrationId);
        var stored = (await _rules.StoredAssignmentsAsync(integrationId)).ToDictionary(a => a.ResourceId, StringComparer.OrdinalIgnoreCase);
        Assert.That((stored[fixedFirst].Status, stored[fixedLater].Status), Is.EqualTo((AssignmentStatus.Closed, AssignmentStatus.Active)));
        Assert.That(_harness.App.ServiceNow.GetRecord("incident", sysId)!["state"], Is.EqualTo("1"), "the ticket stays open for the resource still unhealthy");
        Assert.That(_harness.App.ServiceNow.JournalOf("incident", sysId).Select(e => e.Value), Has.Some.Contains("stays open for the other resources"));

        _rules.SeedFinding(subscription, recommendation, SimulatedAssessmentStatus.Healthy, resourceId: fixedLater);
        await _sync.SyncAsync(integrationId);
        Assert.That((await _sync.StoredAsync(stored[fixedLater])).Status, Is.EqualTo(AssignmentStatus.Closed));
        Assert.That(_harness.App.ServiceNow.GetRecord("incident", sysId)!["state"], Is.EqualTo("6"), "resolved with its last resource");
    }
}
