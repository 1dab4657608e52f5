using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Storage;
using DefenderSnow.Functions.Assignments;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Rules;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// ServiceNow's data is input like any other: a ServiceNow user can write <c>correlation_display</c> and
/// <c>correlation_id</c> on any ticket they may edit. A planted ticket must never stall a run, reach a table key, be
/// adopted as ours, or close an assignment whose ticket we do not know yet (issue 26, M1).
/// </summary>
[TestFixture]
public sealed class UntrustedTicketTests : IUsesHarness
{
    private IntegrationHarness _harness = null!;
    private SyncDriver _sync = null!;
    private RuleDriver _rules = null!;

    private TestApp App => _harness.App;

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        var context = await SyncTestContext.StartAsync();
        (_harness, _sync, _rules) = (context.Harness, context.Sync, context.Rules);
    }

    /// <summary>Correlation ids DefenderSnow never writes, each of which reached a Table Storage key before.</summary>
    private static IEnumerable<TestCaseData> PlantedCorrelationIds()
    {
        yield return new TestCaseData("a/" + AssignmentId.New()).SetName("A planted ticket with a slash in its correlation id is a ticket error and the cursor passes it");
        yield return new TestCaseData("a\\" + AssignmentId.New()).SetName("A planted ticket with a backslash in its correlation id is a ticket error and the cursor passes it");
        yield return new TestCaseData("a#" + AssignmentId.New()).SetName("A planted ticket with a hash in its correlation id is a ticket error and the cursor passes it");
        yield return new TestCaseData("a?" + AssignmentId.New()).SetName("A planted ticket with a question mark in its correlation id is a ticket error and the cursor passes it");
        yield return new TestCaseData("a\u0001" + AssignmentId.New()).SetName("A planted ticket with a control character in its correlation id is a ticket error and the cursor passes it");
        yield return new TestCaseData(AssignmentId.New().ToUpperInvariant()).SetName("A planted ticket with an upper-case correlation id is a ticket error and the cursor passes it");
        yield return new TestCaseData(new string('a', 300)).SetName("A planted ticket with a long correlation id is a ticket error and the cursor passes it");
    }

    [TestCaseSource(nameof(PlantedCorrelationIds))]
    public async Task A_planted_correlation_id_is_a_ticket_error_and_the_cursor_passes_it(string correlationId)
    {
        var integrationId = await _harness.CreateIntegrationAsync();
        var neighbour = await _harness.CreateIntegrationAsync();
        var resolved = await _sync.CreateLiveAssignmentAsync(integrationId);
        var planted = Plant(correlationId);
        App.ServiceNow.Resolve("incident", resolved.Ticket.SysId!);

        try
        {
            await AssertPlantedTicketIsSkippedAsync(integrationId, neighbour, planted, resolved);
        }
        finally
        {
            // Integrations created later read back a few minutes: the next test must not meet this one's ticket.
            App.ServiceNow.Delete("incident", planted["sys_id"]);
        }
    }

    [Test]
    public async Task A_planted_ticket_naming_a_ticket_groups_row_is_a_ticket_error_and_the_cursor_passes_it()
    {
        // A grouped rule's shared ticket shows its group's id to anyone who can read it; "group-{id}" is its row's key.
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _harness.CreateIntegrationAsync(scope: subscription);
        var neighbour = await _harness.CreateIntegrationAsync();
        var recommendation = _rules.NewRecommendation();
        _rules.SeedFinding(subscription, recommendation);
        _rules.SeedFinding(subscription, recommendation);
        var body = RuleDriver.RuleBody(recommendation);
        body["grouping"] = "perRecommendation";
        var ruleId = await _rules.CreateRuleIdAsync(integrationId, body);
        await _rules.EvaluateExpectingAsync(integrationId, ruleId, opened: 2, waiting: 0);
        var member = (await _rules.StoredAssignmentsAsync(integrationId)).First();
        var planted = Plant("group-" + member.GroupId);
        App.ServiceNow.Resolve("incident", member.Ticket.SysId!);

        try
        {
            await AssertPlantedTicketIsSkippedAsync(integrationId, neighbour, planted, member);
        }
        finally
        {
            App.ServiceNow.Delete("incident", planted["sys_id"]);
        }
    }

    [Test]
    public async Task A_ticket_planted_with_a_pending_assignments_id_is_neither_applied_to_it_nor_adopted()
    {
        var integrationId = await _harness.CreateIntegrationAsync();
        var (assessment, resource) = SeedFinding();
        App.ServiceNow.Faults.FailNext(10, 503, "POST /api/now/table/incident");
        var failed = await CreateAssignmentAsync(integrationId, assessment, resource);
        Assert.That(failed.Status, Is.EqualTo(502), failed.ToString());
        var pending = (await App.Get<IAssignmentStore>().FindLiveAsync(integrationId, assessment, resource, CancellationToken.None))!.Value;
        Assert.That((pending.Status, pending.Ticket.SysId), Is.EqualTo((AssignmentStatus.Pending, (string?)null)));

        // Someone who learned the id plants a resolved ticket carrying it.
        var planted = Plant(pending.Id);
        App.ServiceNow.Resolve("incident", planted["sys_id"]);
        try
        {
            var run = await _sync.SyncAsync(integrationId);

            Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
            var stored = await _sync.StoredAsync(pending);
            Assert.That((stored.Status, stored.ClosedReason), Is.EqualTo((AssignmentStatus.Pending, (ClosedReason?)null)), "no terminal state without the assignment's own ticket");

            App.ServiceNow.Faults.Clear();
            var modCount = App.ServiceNow.GetRecord("incident", planted["sys_id"])!["sys_mod_count"];
            var retried = await CreateAssignmentAsync(integrationId, assessment, resource);

            Assert.That(retried.Status, Is.EqualTo(201), retried.ToString());
            Assert.That(retried.Json["id"]!.GetValue<string>(), Is.EqualTo(pending.Id));
            var ours = retried.Json["ticket"]!["sysId"]!.GetValue<string>();
            Assert.That(ours, Is.Not.EqualTo(planted["sys_id"]), "the planted ticket is not adopted");
            Assert.That(App.ServiceNow.GetRecord("incident", ours)!["sys_created_by"], Is.EqualTo(IntegrationHarness.ServiceUser));
            Assert.That(App.ServiceNow.GetRecord("incident", planted["sys_id"])!["sys_mod_count"], Is.EqualTo(modCount), "nor canceled as a duplicate");
            Assert.That((await _sync.StoredAsync(pending)).Status, Is.EqualTo(AssignmentStatus.Active));
        }
        finally
        {
            App.ServiceNow.Delete("incident", planted["sys_id"]);
        }
    }

    [Test]
    public async Task A_users_ticket_given_our_correlation_id_is_not_adopted_and_ours_is_not_canceled_for_it()
    {
        // An older, unrelated ticket of a ServiceNow user; the retry of an assignment whose ticket exists looks for it by
        // correlation id. Taken for ours, it was adopted, and our own ticket was canceled as its duplicate.
        var integrationId = await _harness.CreateIntegrationAsync();
        var (assessment, resource) = SeedFinding();
        var unrelated = App.ServiceNow.CreateTicket("incident", new Dictionary<string, string> { ["short_description"] = "Printer on fire" }, asUser: SyncDriver.OwnerA);
        App.ResourceManager.Faults.FailNext(10, 503, ResourceManagerOperations.PutGovernanceAssignment);
        var failed = await CreateAssignmentAsync(integrationId, assessment, resource);
        Assert.That(failed.Status, Is.EqualTo(502), failed.ToString());
        var pending = (await App.Get<IAssignmentStore>().FindLiveAsync(integrationId, assessment, resource, CancellationToken.None))!.Value;
        Assert.That(pending.Ticket.SysId, Is.Not.Null, "our ticket exists");

        App.ServiceNow.UpdateTicket(
            "incident",
            unrelated["sys_id"],
            new Dictionary<string, string> { ["correlation_id"] = pending.Id, ["correlation_display"] = "DefenderSnow" },
            asUser: SyncDriver.OwnerA);
        try
        {
            App.ResourceManager.Faults.Clear();
            var modCount = App.ServiceNow.GetRecord("incident", unrelated["sys_id"])!["sys_mod_count"];
            var retried = await CreateAssignmentAsync(integrationId, assessment, resource);

            Assert.That(retried.Status, Is.EqualTo(201), retried.ToString());
            Assert.Multiple(() =>
            {
                Assert.That(retried.Json["ticket"]!["sysId"]!.GetValue<string>(), Is.EqualTo(pending.Ticket.SysId), "our own ticket is kept");
                Assert.That(App.ServiceNow.GetRecord("incident", pending.Ticket.SysId!)!["state"], Is.EqualTo("1"), "and stays open");
                Assert.That(App.ServiceNow.GetRecord("incident", unrelated["sys_id"])!["sys_mod_count"], Is.EqualTo(modCount), "the user's ticket is not written to");
                Assert.That(_sync.Governance(pending)!.TicketLink, Does.Contain(pending.Ticket.SysId));
            });
        }
        finally
        {
            App.ServiceNow.Delete("incident", unrelated["sys_id"]);
        }
    }

    /// <summary>
    /// The run of the integration (and of its neighbour on the same instance) succeeds, names the planted ticket by its
    /// number among its errors, still applies the real change next to it, and the next run no longer sees it.
    /// </summary>
    private async Task AssertPlantedTicketIsSkippedAsync(string integrationId, string neighbour, IReadOnlyDictionary<string, string> planted, Assignment resolved)
    {
        var poisonBefore = (await App.Queues.PoisonAsync(WorkQueue.SyncIntegrations)).Count;

        var run = await _sync.SyncAsync(integrationId);

        var part = run["integrations"]![0]!;
        var errors = part["errors"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(part["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("partiallySucceeded"), "a ticket error makes the run partial");
            Assert.That(errors.Select(e => e!["ticket"]?.GetValue<string>()), Is.EqualTo(new[] { planted["number"] }), run.ToJsonString());
            Assert.That(errors[0]!["message"]!.GetValue<string>(), Does.Contain("correlation id"));
            Assert.That(errors[0]!["message"]!.GetValue<string>(), Does.Not.Contain(planted["correlation_id"]), "the planted value is not echoed");
        });
        Assert.That((await _sync.StoredAsync(resolved)).Status, Is.EqualTo(AssignmentStatus.Closed), "the real change next to it is applied");
        Assert.That((await App.Queues.PoisonAsync(WorkQueue.SyncIntegrations)).Count, Is.EqualTo(poisonBefore), "nothing reaches the poison queue");

        var next = await _sync.SyncAsync(integrationId);
        Assert.That(next["integrations"]![0]!["errors"]!.AsArray(), Is.Empty, "the cursor passed the planted ticket: " + next.ToJsonString());
        Assert.That(next["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));

        // Another integration on the same instance reads the same change: it is not blocked either.
        var other = await _sync.SyncAsync(neighbour);
        Assert.That(other["integrations"]![0]!["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), other.ToJsonString());
        Assert.That((await _sync.SyncAsync(neighbour))["status"]!.GetValue<string>(), Is.EqualTo("succeeded"));
        Assert.That((await App.Queues.PoisonAsync(WorkQueue.SyncIntegrations)).Count, Is.EqualTo(poisonBefore));
    }

    /// <summary>A new unhealthy finding in the fixture's subscription.</summary>
    private (string Assessment, string Resource) SeedFinding()
    {
        var assessment = Guid.NewGuid().ToString("D");
        var resource = LiveAssignments.NewResourceId(IntegrationHarness.SubscriptionScope);
        App.ResourceManager.State.SeedMetadata(new SimulatedAssessmentMetadata(assessment, "Endpoint protection should be installed", SimulatedSeverity.Medium));
        App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(resource, assessment, SimulatedAssessmentStatus.Unhealthy));
        return (assessment, resource);
    }

    private Task<FunctionResponse> CreateAssignmentAsync(string integrationId, string assessment, string resource) =>
        _harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("POST", "/api/assignments", FunctionCall.Json(new Dictionary<string, object?>
            {
                ["integrationId"] = integrationId,
                ["assessmentName"] = assessment,
                ["resourceId"] = resource,
                ["ticketType"] = "incident",
                ["assignedTo"] = SyncDriver.OwnerAEmail,
                ["caller"] = SyncDriver.OwnerA,
                ["remediationTimeframeDays"] = 30,
            })),
            r => App.Function<AssignmentFunctions>().Create(r, CancellationToken.None)));

    /// <summary>A ticket a ServiceNow user (not the integration user) opened and made look like ours.</summary>
    private IReadOnlyDictionary<string, string> Plant(string correlationId, string table = "incident") =>
        App.ServiceNow.CreateTicket(
            table,
            new Dictionary<string, string>
            {
                ["short_description"] = "Planted",
                ["correlation_display"] = "DefenderSnow",
                ["correlation_id"] = correlationId,
            },
            asUser: SyncDriver.OwnerA);
}
