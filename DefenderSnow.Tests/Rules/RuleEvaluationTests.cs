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
public sealed class RuleEvaluationTests : IUsesHarness
{
    private SyncTestContext _context = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartApp() => _context = await SyncTestContext.StartAsync();

    [Test]
    public async Task Each_unhealthy_finding_of_the_rule_gets_one_assignment_through_the_create_path()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _context.Rules.NewRecommendation();
        var other = _context.Rules.NewRecommendation();
        var first = _context.Rules.SeedFinding(subscription, recommendation);
        var second = _context.Rules.SeedFinding(subscription, recommendation);
        _context.Rules.SeedFinding(subscription, recommendation, SimulatedAssessmentStatus.Healthy);
        _context.Rules.SeedFinding(subscription, recommendation, SimulatedAssessmentStatus.NotApplicable);
        _context.Rules.SeedFinding(subscription, other);
        var ruleId = await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation));

        var evaluation = await _context.Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 2, waiting: 0);
        Assert.That(evaluation["tickets"]!.AsArray().Select(t => t!["resourceId"]!.GetValue<string>()), Is.EquivalentTo(new[] { first, second }));

        var stored = await _context.Rules.StoredAssignmentsAsync(integrationId);
        Assert.That(stored.Select(a => a.ResourceId), Is.EquivalentTo(new[] { first, second }));
        foreach (var assignment in stored)
        {
            _context.Rules.AssertOpenedEverywhere(assignment, ruleId, SyncDriver.OwnerAEmail, _context.Sync.OwnerASysId);
            Assert.That(assignment.CreatedBy, Is.EqualTo($"rule:{ruleId}"));
        }

        // Findings with a live assignment are done: a second evaluation opens nothing and writes nothing.
        var before = await StateSnapshot.TakeAsync(_context.Harness.App);
        await _context.Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 0, waiting: 0);
        Assert.That(await StateSnapshot.TakeAsync(_context.Harness.App), Is.EqualTo(before));
    }

    [Test]
    public async Task Each_condition_keeps_out_the_findings_that_do_not_meet_it()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var high = _context.Rules.NewRecommendation(SimulatedSeverity.High);
        var medium = _context.Rules.NewRecommendation(SimulatedSeverity.Medium);
        var low = _context.Rules.NewRecommendation(SimulatedSeverity.Low);
        var prod = new Dictionary<string, string> { ["Env"] = "prod" };

        // The one finding that meets every condition, and one per condition that fails only that one.
        var match = _context.Rules.SeedFinding(subscription, medium, resourceGroup: "rg-app", tags: prod);
        _context.Rules.SeedFinding(subscription, low, resourceGroup: "rg-app", tags: prod);
        _context.Rules.SeedFinding(subscription, medium, type: RuleDriver.Storage, resourceGroup: "rg-app", tags: prod);
        _context.Rules.SeedFinding(subscription, medium, resourceGroup: "rg-other", tags: prod);
        _context.Rules.SeedFinding(subscription, medium, resourceGroup: "rg-app", tags: new Dictionary<string, string> { ["env"] = "Prod" });
        _context.Rules.SeedFinding(subscription, medium, resourceGroup: "rg-app");
        _context.Rules.SeedFinding(subscription, high, resourceGroup: "rg-app", tags: prod);

        var ruleId = await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(conditions: new Dictionary<string, object?>
        {
            ["assessmentNames"] = new[] { medium, low },
            ["minimumSeverity"] = "Medium",
            ["resourceType"] = RuleDriver.Vm.ToLowerInvariant(),
            ["scope"] = subscription + "/resourceGroups/rg-app",
            ["tag"] = new Dictionary<string, object?> { ["name"] = "env", ["value"] = "prod" },
        }));

        var evaluation = await _context.Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 1, waiting: 0);
        Assert.That(evaluation["tickets"]![0]!["resourceId"]!.GetValue<string>(), Is.EqualTo(match));
        Assert.That((await _context.Rules.StoredAssignmentsAsync(integrationId)).Select(a => a.ResourceId), Is.EqualTo(new[] { match }));
    }

    [Test]
    public async Task Findings_outside_the_integrations_scope_and_other_subscriptions_are_left_alone()
    {
        var subscription = RuleDriver.NewSubscription();
        var elsewhere = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _context.Rules.NewRecommendation();
        var inside = _context.Rules.SeedFinding(subscription, recommendation);
        _context.Rules.SeedFinding(elsewhere, recommendation);
        var ruleId = await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody());

        await _context.Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 1, waiting: 0);
        Assert.That((await _context.Rules.StoredAssignmentsAsync(integrationId)).Select(a => a.ResourceId), Is.EqualTo(new[] { inside }));
        Assert.That(_context.Harness.App.ResourceManager.State.GovernanceAssignments.Where(g => g.ResourceId.StartsWith(elsewhere, StringComparison.OrdinalIgnoreCase)), Is.Empty);
    }

    [Test]
    public async Task The_first_matching_rule_by_priority_wins()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _context.Rules.NewRecommendation();
        var resource = _context.Rules.SeedFinding(subscription, recommendation);
        var broad = await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(priority: 50));
        var narrow = RuleDriver.RuleBody(recommendation, priority: 5);
        narrow["owner"] = new Dictionary<string, object?> { ["source"] = "user", ["user"] = SyncDriver.OwnerB };
        var first = await _context.Rules.CreateRuleIdAsync(integrationId, narrow);

        // The broad rule matches too, but the finding belongs to the rule that comes first.
        await _context.Rules.EvaluateExpectingAsync(integrationId, broad, opened: 0, waiting: 0);
        Assert.That(await _context.Rules.StoredAssignmentsAsync(integrationId), Is.Empty);

        await _context.Rules.EvaluateExpectingAsync(integrationId, first, opened: 1, waiting: 0);
        var stored = (await _context.Rules.StoredAssignmentsAsync(integrationId)).Single();
        Assert.That(stored.ResourceId, Is.EqualTo(resource));
        _context.Rules.AssertOpenedEverywhere(stored, first, SyncDriver.OwnerBEmail, _context.Sync.OwnerBSysId);
    }

    [Test]
    public async Task A_rule_opens_at_most_its_cap_per_run_and_reports_the_rest_as_waiting()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _context.Rules.NewRecommendation();
        for (var i = 0; i < 5; i++)
        {
            _context.Rules.SeedFinding(subscription, recommendation);
        }

        var body = RuleDriver.RuleBody(recommendation);
        body["maxTicketsPerRun"] = 2;
        var ruleId = await _context.Rules.CreateRuleIdAsync(integrationId, body);

        await _context.Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 2, waiting: 3);
        Assert.That(await _context.Rules.StoredAssignmentsAsync(integrationId), Has.Count.EqualTo(2));
        Assert.That(_context.Harness.App.ServiceNow.ListTickets("incident").Count(t => (t.GetValueOrDefault("correlation_display") ?? string.Empty).StartsWith("DefenderSnow", StringComparison.Ordinal)
            && t["correlation_id"] is { } id && id.Length == 32), Is.GreaterThanOrEqualTo(2));

        // A sync run evaluates the rule too, with the same cap, and says how many wait.
        var run = await _context.Sync.SyncAsync(integrationId);
        var part = run["integrations"]![0]!;
        Assert.That((part["ruleTicketsOpened"]!.GetValue<int>(), part["ruleTicketsWaiting"]!.GetValue<int>()), Is.EqualTo((2, 1)), run.ToJsonString());
        Assert.That(part["errors"]!.AsArray(), Is.Empty, run.ToJsonString());

        var last = await _context.Sync.SyncAsync(integrationId);
        var lastPart = last["integrations"]![0]!;
        Assert.That((lastPart["ruleTicketsOpened"]!.GetValue<int>(), lastPart["ruleTicketsWaiting"]!.GetValue<int>()), Is.EqualTo((1, 0)), last.ToJsonString());
        var stored = await _context.Rules.StoredAssignmentsAsync(integrationId);
        Assert.That(stored, Has.Count.EqualTo(5));
        Assert.That(stored.Select(a => a.FindingKey).Distinct().Count(), Is.EqualTo(5), "one assignment per finding");
        Assert.That(stored.Select(_context.Sync.Governance), Has.All.Not.Null);
    }

    [Test]
    public async Task A_dry_run_lists_what_would_be_opened_and_changes_nothing_anywhere()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _context.Rules.NewRecommendation();
        var resources = new[] { _context.Rules.SeedFinding(subscription, recommendation), _context.Rules.SeedFinding(subscription, recommendation), _context.Rules.SeedFinding(subscription, recommendation) };
        var body = RuleDriver.RuleBody(recommendation);
        body["maxTicketsPerRun"] = 2;
        var ruleId = await _context.Rules.CreateRuleIdAsync(integrationId, body);

        var before = await StateSnapshot.TakeAsync(_context.Harness.App);
        var fromQuery = await _context.Rules.EvaluateAsync(integrationId, ruleId, "?dryRun=true");
        var fromBody = await _context.Rules.EvaluateAsync(integrationId, ruleId, body: new { dryRun = true });
        Assert.That(await StateSnapshot.TakeAsync(_context.Harness.App), Is.EqualTo(before), "ServiceNow, Defender and Table Storage are untouched");

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

        Assert.That((await _context.Rules.EvaluateAsync(integrationId, ruleId, "?dryRun=maybe")).Status, Is.EqualTo(400));
        Assert.That((await _context.Rules.EvaluateAsync(integrationId, ruleId, "?dryRun=true", new { dryRun = true })).Status, Is.EqualTo(400));
        Assert.That(await StateSnapshot.TakeAsync(_context.Harness.App), Is.EqualTo(before));
    }

    [Test]
    public async Task The_owner_comes_from_the_resource_tag_when_it_names_a_servicenow_user_and_from_the_fallback_otherwise()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _context.Rules.NewRecommendation();
        var tagged = _context.Rules.SeedFinding(subscription, recommendation, tags: new Dictionary<string, string> { ["Owner"] = SyncDriver.OwnerBEmail });
        var unknown = _context.Rules.SeedFinding(subscription, recommendation, tags: new Dictionary<string, string> { ["owner"] = "left.the.company@contoso.example" });
        var noEmail = _context.Rules.SeedFinding(subscription, recommendation, tags: new Dictionary<string, string> { ["owner"] = "not an address" });
        var untagged = _context.Rules.SeedFinding(subscription, recommendation);
        var ruleId = await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation, owner: new Dictionary<string, object?>
        {
            ["source"] = "resourceTag",
            ["tagName"] = "owner",
            ["fallbackUser"] = SyncDriver.OwnerA,
        }));

        var dryRun = await _context.Rules.EvaluateAsync(integrationId, ruleId, "?dryRun=true");
        Assert.That(dryRun.Json["tickets"]!.AsArray().Single(t => t!["resourceId"]!.GetValue<string>() == tagged)!["owner"]!.GetValue<string>(), Is.EqualTo(SyncDriver.OwnerBEmail));

        await _context.Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 4, waiting: 0);
        var stored = (await _context.Rules.StoredAssignmentsAsync(integrationId)).ToDictionary(a => a.ResourceId, StringComparer.OrdinalIgnoreCase);
        _context.Rules.AssertOpenedEverywhere(stored[tagged], ruleId, SyncDriver.OwnerBEmail, _context.Sync.OwnerBSysId);
        foreach (var resource in new[] { unknown, noEmail, untagged })
        {
            _context.Rules.AssertOpenedEverywhere(stored[resource], ruleId, SyncDriver.OwnerAEmail, _context.Sync.OwnerASysId);
        }

        // Tags are read in bulk: one Resources_List per subscription and evaluation, whatever the number of resources.
        _context.Harness.App.ResourceManager.State.ResetRequestCounts();
        await _context.Rules.EvaluateAsync(integrationId, ruleId, "?dryRun=true");
        Assert.That(_context.Harness.App.ResourceManager.State.RequestCount(ResourceManagerOperations.ListResources), Is.EqualTo(1));
        Assert.That(_context.Harness.App.ResourceManager.State.RequestCount(ResourceManagerOperations.GetAssessment), Is.Zero, "findings are read in bulk, not per resource");
    }

    [Test]
    public async Task A_finding_unhealthy_again_after_its_ticket_was_closed_gets_a_new_ticket_naming_the_previous_one()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _context.Rules.NewRecommendation();
        var resource = _context.Rules.SeedFinding(subscription, recommendation);
        var ruleId = await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation));

        var firstRun = await _context.Sync.SyncAsync(integrationId);
        Assert.That(firstRun["integrations"]![0]!["ruleTicketsOpened"]!.GetValue<int>(), Is.EqualTo(1), firstRun.ToJsonString());
        var first = (await _context.Rules.StoredAssignmentsAsync(integrationId)).Single();
        Assert.That(first.FollowsTicket, Is.Null);

        // Someone resolves the ticket, but Defender still sees the finding unhealthy: the next run closes the
        // assignment from the ticket, then its rules open a new ticket that names the old one.
        _context.Harness.App.ServiceNow.Resolve("incident", first.Ticket.SysId!);
        var reopened = await _context.Sync.SyncAsync(integrationId);
        var part = reopened["integrations"]![0]!;
        Assert.That(part["assignmentsClosed"]!["ticketResolved"]!.GetValue<int>(), Is.EqualTo(1), reopened.ToJsonString());
        Assert.That(part["ruleTicketsOpened"]!.GetValue<int>(), Is.EqualTo(1), reopened.ToJsonString());
        Assert.That((await _context.Sync.StoredAsync(first)).Status, Is.EqualTo(AssignmentStatus.Closed));

        var second = (await _context.Rules.StoredAssignmentsAsync(integrationId)).Single(a => a.Status == AssignmentStatus.Active);
        Assert.That((second.ResourceId, second.FollowsTicket), Is.EqualTo((resource, (string?)first.Ticket.Number)));
        _context.Rules.AssertOpenedEverywhere(second, ruleId, SyncDriver.OwnerAEmail, _context.Sync.OwnerASysId);
        var ticket = _context.Harness.App.ServiceNow.GetRecord("incident", second.Ticket.SysId!)!;
        Assert.That(ticket["correlation_display"], Is.EqualTo("DefenderSnow-after-" + first.Ticket.Number));
        Assert.That(ticket["description"], Does.Contain(first.Ticket.Number));
        Assert.That(ticket["number"], Is.Not.EqualTo(first.Ticket.Number));

        // The new ticket is still one of ours to sync: a new assignee reaches Table Storage and Defender.
        _context.Harness.App.ServiceNow.Reassign("incident", second.Ticket.SysId!, SyncDriver.OwnerB);
        var synced = await _context.Sync.SyncAsync(integrationId);
        Assert.That(synced["integrations"]![0]!["ownersChanged"]!.GetValue<int>(), Is.EqualTo(1), synced.ToJsonString());
        Assert.That((await _context.Sync.StoredAsync(second)).AssignedTo, Is.EqualTo(SyncDriver.OwnerBEmail));
        Assert.That(_context.Sync.Governance(second)!.Owner, Is.EqualTo(SyncDriver.OwnerBEmail));
    }

    [Test]
    public async Task A_run_that_closes_on_the_fix_and_evaluates_rules_reads_each_subscriptions_findings_once()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _context.Rules.NewRecommendation();
        var fixedLater = _context.Rules.SeedFinding(subscription, recommendation);
        _context.Rules.SeedFinding(subscription, recommendation);
        await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation));
        await _context.Sync.SyncAsync(integrationId);
        Assert.That(await _context.Rules.StoredAssignmentsAsync(integrationId), Has.Count.EqualTo(2));
        _context.Harness.App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(fixedLater, recommendation, SimulatedAssessmentStatus.Healthy));
        var added = _context.Rules.SeedFinding(subscription, recommendation);
        _context.Harness.App.ResourceManager.State.ResetRequestCounts();

        // A full pass compares with the findings (closing on the fix) and evaluates the rule: both from one read.
        var run = await _context.Sync.SyncAsync(integrationId, full: true);

        Assert.That(run["integrations"]![0]!["ruleTicketsOpened"]!.GetValue<int>(), Is.EqualTo(1), run.ToJsonString());
        var stored = await _context.Rules.StoredAssignmentsAsync(integrationId);
        Assert.That(stored.Single(a => a.ResourceId == fixedLater).ClosedReason, Is.EqualTo(ClosedReason.ResourceHealthy));
        Assert.That(stored.Count(a => a.ResourceId == added && a.Status == AssignmentStatus.Active), Is.EqualTo(1));
        Assert.That(_context.Harness.App.ResourceManager.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.EqualTo(1), "one page of findings, read once for both");
    }

    [Test]
    public async Task An_integration_without_rules_costs_its_sync_no_resource_manager_request()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        _context.Rules.SeedFinding(subscription, _context.Rules.NewRecommendation());
        _context.Harness.App.ResourceManager.State.ResetRequestCounts();
        var run = await _context.Sync.SyncAsync(integrationId);
        Assert.That(run["integrations"]![0]!["requests"]!["resourceManager"]!.GetValue<int>(), Is.Zero, run.ToJsonString());
        Assert.That(await _context.Rules.StoredAssignmentsAsync(integrationId), Is.Empty);
    }

    [Test]
    public async Task Grouped_per_recommendation_one_ticket_lists_its_resources_and_each_keeps_its_governance_assignment()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var shared = _context.Rules.NewRecommendation(displayName: "Disks should be encrypted");
        var alone = _context.Rules.NewRecommendation(displayName: "Ports should be closed");
        var resources = new[] { _context.Rules.SeedFinding(subscription, shared), _context.Rules.SeedFinding(subscription, shared), _context.Rules.SeedFinding(subscription, shared) };
        var single = _context.Rules.SeedFinding(subscription, alone);
        var body = RuleDriver.RuleBody(conditions: new Dictionary<string, object?> { ["assessmentNames"] = new[] { shared, alone } });
        body["grouping"] = "perRecommendation";
        var ruleId = await _context.Rules.CreateRuleIdAsync(integrationId, body);
        var ticketsBefore = _context.Harness.App.ServiceNow.ListTickets("incident").Count;

        await _context.Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 4, waiting: 0);
        Assert.That(_context.Harness.App.ServiceNow.ListTickets("incident").Count - ticketsBefore, Is.EqualTo(2), "one ticket per recommendation");

        var stored = await _context.Rules.StoredAssignmentsAsync(integrationId);
        var group = stored.Where(a => a.AssessmentName == shared).ToList();
        Assert.That(group.Select(a => a.ResourceId), Is.EquivalentTo(resources));
        Assert.That(group.Select(a => a.Ticket.SysId).Distinct().Count(), Is.EqualTo(1), "the members share one ticket");
        Assert.That(group.Select(a => a.GroupId).Distinct().Single(), Is.Not.Null);
        Assert.That(group.Select(a => a.Id).Distinct().Count(), Is.EqualTo(3), "one assignment per resource");
        var ticket = _context.Harness.App.ServiceNow.GetRecord("incident", group[0].Ticket.SysId!)!;
        Assert.That(ticket["correlation_id"], Is.EqualTo(group[0].GroupId));
        Assert.That(ticket["short_description"], Is.EqualTo("Disks should be encrypted on 3 resources"));
        foreach (var member in group)
        {
            Assert.That(ticket["description"], Does.Contain(member.ResourceId));
            var governance = _context.Sync.Governance(member);
            Assert.That(governance, Is.Not.Null, "each resource keeps its governance assignment");
            Assert.That((governance!.Owner, governance.TicketLink), Is.EqualTo(((string?)SyncDriver.OwnerAEmail, member.Ticket.Link)));
            Assert.That(member.Status, Is.EqualTo(AssignmentStatus.Active));
        }

        var other = stored.Single(a => a.AssessmentName == alone);
        Assert.That((other.ResourceId, other.Ticket.SysId), Is.Not.EqualTo((single, group[0].Ticket.SysId)));
        Assert.That(_context.Harness.App.ServiceNow.GetRecord("incident", other.Ticket.SysId!)!["short_description"], Is.EqualTo("Ports should be closed on 1 resource"));

        // Resolving the shared ticket closes every member, in Table Storage and Defender.
        _context.Harness.App.ServiceNow.Resolve("incident", group[0].Ticket.SysId!);
        var run = await _context.Sync.SyncAsync(integrationId);
        Assert.That(run["integrations"]![0]!["assignmentsClosed"]!["ticketResolved"]!.GetValue<int>(), Is.EqualTo(3), run.ToJsonString());
        foreach (var member in group)
        {
            Assert.That((await _context.Sync.StoredAsync(member)).ClosedReason, Is.EqualTo(ClosedReason.TicketResolved));
            Assert.That(_context.Sync.Governance(member), Is.Null);
        }

        Assert.That((await _context.Sync.StoredAsync(other)).Status, Is.EqualTo(AssignmentStatus.Active));
    }

    [Test]
    public async Task A_failure_midway_leaves_the_pending_assignment_which_the_next_evaluation_completes_with_the_same_ticket()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _context.Rules.NewRecommendation();
        var first = _context.Rules.SeedFinding(subscription, recommendation);
        _context.Rules.SeedFinding(subscription, recommendation);
        var ruleId = await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation));

        // Resource Manager refuses governance writes past the retries: the first ticket is open, its assignment pending,
        // and the rule stops there; what it did not reach waits.
        _context.Harness.App.ResourceManager.Faults.FailNext(SimulatorFaults.Always, 503, ResourceManagerOperations.PutGovernanceAssignment);
        var failed = await _context.Rules.EvaluateAsync(integrationId, ruleId);
        Assert.That(failed.Status, Is.EqualTo(200), failed.ToString());
        Assert.That((failed.Json["opened"]!.GetValue<int>(), failed.Json["waiting"]!.GetValue<int>()), Is.EqualTo((0, 2)), failed.ToString());
        Assert.That(failed.Json["errors"]!.AsArray(), Has.Count.EqualTo(1));
        var pending = (await _context.Rules.StoredAssignmentsAsync(integrationId)).Single();
        Assert.That(pending.Status, Is.EqualTo(AssignmentStatus.Pending));
        Assert.That(pending.Ticket.SysId, Is.Not.Null, "the ticket was opened before the failure");

        _context.Harness.App.ResourceManager.Faults.Clear();
        await _context.Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 2, waiting: 0);
        var stored = await _context.Rules.StoredAssignmentsAsync(integrationId);
        Assert.That(stored, Has.Count.EqualTo(2));
        var completed = stored.Single(a => a.Id == pending.Id);
        Assert.That(completed.Ticket.SysId, Is.EqualTo(pending.Ticket.SysId), "the same ticket, not a second one");
        _context.Rules.AssertOpenedEverywhere(completed, ruleId, SyncDriver.OwnerAEmail, _context.Sync.OwnerASysId);
        Assert.That(stored.Select(a => a.ResourceId), Does.Contain(first));
    }

    [Test]
    public async Task A_shared_ticket_is_resolved_on_the_fix_only_when_its_last_resource_is_fixed()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var changed = await _context.Harness.UpdateAsync(integrationId, new Dictionary<string, object?> { ["onResourceHealthy"] = "resolve" });
        Assert.That(changed.Status, Is.EqualTo(200), changed.ToString());
        var recommendation = _context.Rules.NewRecommendation();
        var fixedFirst = _context.Rules.SeedFinding(subscription, recommendation);
        var fixedLater = _context.Rules.SeedFinding(subscription, recommendation);
        var body = RuleDriver.RuleBody(recommendation);
        body["grouping"] = "perRecommendation";
        var ruleId = await _context.Rules.CreateRuleIdAsync(integrationId, body);
        await _context.Rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 2, waiting: 0);
        var sysId = (await _context.Rules.StoredAssignmentsAsync(integrationId)).Select(a => a.Ticket.SysId).Distinct().Single()!;

        _context.Rules.SeedFinding(subscription, recommendation, SimulatedAssessmentStatus.Healthy, resourceId: fixedFirst);
        await _context.Sync.SyncAsync(integrationId);
        var stored = (await _context.Rules.StoredAssignmentsAsync(integrationId)).ToDictionary(a => a.ResourceId, StringComparer.OrdinalIgnoreCase);
        Assert.That((stored[fixedFirst].Status, stored[fixedLater].Status), Is.EqualTo((AssignmentStatus.Closed, AssignmentStatus.Active)));
        Assert.That(_context.Harness.App.ServiceNow.GetRecord("incident", sysId)!["state"], Is.EqualTo("1"), "the ticket stays open for the resource still unhealthy");
        Assert.That(_context.Harness.App.ServiceNow.JournalOf("incident", sysId).Select(e => e.Value), Has.Some.Contains("stays open for the other resources"));

        _context.Rules.SeedFinding(subscription, recommendation, SimulatedAssessmentStatus.Healthy, resourceId: fixedLater);
        await _context.Sync.SyncAsync(integrationId);
        Assert.That((await _context.Sync.StoredAsync(stored[fixedLater])).Status, Is.EqualTo(AssignmentStatus.Closed));
        Assert.That(_context.Harness.App.ServiceNow.GetRecord("incident", sysId)!["state"], Is.EqualTo("6"), "resolved with its last resource");
    }
}
