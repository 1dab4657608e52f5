using DefenderSnow.Core.Assignments;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// Closing on the fix, through RunSync and the queue: Defender reports a finding Healthy, NotApplicable or no longer at
/// all, and sync closes its assignment and tells the ticket as the integration's <c>onResourceHealthy</c> says. Each test
/// checks ServiceNow, Defender and Table Storage afterwards.
/// </summary>
[TestFixture]
public sealed class HealthyFindingTests : IUsesHarness
{
    private const string Confirmed = "Microsoft Defender for Cloud confirmed the fix";

    private SyncTestContext _context = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartApp() => _context = await SyncTestContext.StartAsync();

    [Test]
    public async Task A_healthy_finding_closes_its_assignment_and_by_default_notes_the_ticket_once()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        Assert.That((await _context.Harness.GetAsync(integrationId)).Json["onResourceHealthy"]!.GetValue<string>(), Is.EqualTo("note"));
        var fixedOne = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var stillUnhealthy = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        SetFinding(fixedOne, SimulatedAssessmentStatus.Healthy);

        var run = await _context.Sync.SyncAsync(integrationId);

        var part = run["integrations"]![0]!;
        Assert.Multiple(async () =>
        {
            Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(part["assignmentsClosed"]!["resourceHealthy"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(part["findingsRead"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(2));
            await AssertClosedAsync(fixedOne, ClosedReason.ResourceHealthy);
            Assert.That(WorkNotes(fixedOne), Has.Count.EqualTo(1));
            Assert.That(WorkNotes(fixedOne).Single(), Does.Contain(Confirmed).And.Contain(fixedOne.ResourceId));
            Assert.That(Ticket(fixedOne)["state"], Is.EqualTo("1"), "a note only: the ticket stays open");
            Assert.That((await _context.Sync.StoredAsync(stillUnhealthy)).Status, Is.EqualTo(AssignmentStatus.Active));
            Assert.That(_context.Sync.Governance(stillUnhealthy), Is.Not.Null);
            Assert.That(WorkNotes(stillUnhealthy), Is.Empty);
        });

        var again = await _context.Sync.SyncAsync(integrationId);

        Assert.Multiple(() =>
        {
            Assert.That(again["integrations"]![0]!["assignmentsClosed"]!.AsObject(), Is.Empty, again.ToJsonString());
            Assert.That(WorkNotes(fixedOne), Has.Count.EqualTo(1), "one work note per ticket");
        });
    }

    [Test]
    public async Task Resolve_resolves_each_ticket_type_with_its_close_fields_where_its_state_model_allows()
    {
        var integrationId = await CreateIntegrationWithAsync("resolve");
        var incident = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var problemInAnalysis = await _context.Sync.CreateLiveAssignmentAsync(integrationId, "problem");
        var newProblem = await _context.Sync.CreateLiveAssignmentAsync(integrationId, "problem");
        var changeInReview = await _context.Sync.CreateLiveAssignmentAsync(integrationId, "change_request");
        _context.App.ServiceNow.MoveTo("problem", problemInAnalysis.Ticket.SysId!, "103");
        _context.App.ServiceNow.MoveTo("change_request", changeInReview.Ticket.SysId!, "0");
        foreach (var assignment in new[] { incident, problemInAnalysis, newProblem, changeInReview })
        {
            SetFinding(assignment, SimulatedAssessmentStatus.NotApplicable);
        }

        var run = await _context.Sync.SyncAsync(integrationId);

        Assert.Multiple(async () =>
        {
            Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
            Assert.That(run["integrations"]![0]!["assignmentsClosed"]!["resourceHealthy"]!.GetValue<int>(), Is.EqualTo(4));

            var resolvedIncident = Ticket(incident);
            Assert.That((resolvedIncident["state"], resolvedIncident["close_code"]), Is.EqualTo(("6", "Solution provided")), "the current out-of-box code, the first of the defaults the instance offers");
            Assert.That(resolvedIncident["close_notes"], Does.Contain(Confirmed).And.Contain("no longer applicable").And.Contain("UTC"));
            var resolvedProblem = Ticket(problemInAnalysis);
            Assert.That((resolvedProblem["state"], resolvedProblem["resolution_code"]), Is.EqualTo(("106", "fix_applied")));
            Assert.That(resolvedProblem["fix_notes"], Does.Contain(Confirmed));
            var closedChange = Ticket(changeInReview);
            Assert.That((closedChange["state"], closedChange["close_code"]), Is.EqualTo(("3", "successful")));
            Assert.That(closedChange["close_notes"], Does.Contain(Confirmed));

            // A New problem cannot be resolved under the problem state model: it is told, and left to its people.
            Assert.That(Ticket(newProblem)["state"], Is.EqualTo("101"));
            Assert.That(WorkNotes(newProblem).Single(), Does.Contain(Confirmed).And.Contain("does not allow resolving"));

            foreach (var assignment in new[] { incident, problemInAnalysis, newProblem, changeInReview })
            {
                await AssertClosedAsync(assignment, ClosedReason.ResourceHealthy);
            }

            Assert.That((await _context.Sync.StoredAsync(incident)).Ticket.State, Is.EqualTo("Resolved"));
        });

        // The resolved tickets are changes the next run reads: their assignments are closed already, so nothing moves.
        var next = await _context.Sync.SyncAsync(integrationId);
        Assert.That(next["integrations"]![0]!["assignmentsClosed"]!.AsObject(), Is.Empty, next.ToJsonString());
        Assert.That((await _context.Sync.StoredAsync(incident)).ClosedReason, Is.EqualTo(ClosedReason.ResourceHealthy));
    }

    [Test]
    public async Task None_closes_the_assignment_and_writes_nothing_to_servicenow()
    {
        var integrationId = await CreateIntegrationWithAsync("none");
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        SetFinding(assignment, SimulatedAssessmentStatus.Healthy);
        _context.App.ServiceNow.ResetRequestCounts();

        await _context.Sync.SyncAsync(integrationId);

        Assert.Multiple(async () =>
        {
            await AssertClosedAsync(assignment, ClosedReason.ResourceHealthy);
            Assert.That(Ticket(assignment)["state"], Is.EqualTo("1"));
            Assert.That(WorkNotes(assignment), Is.Empty);
            Assert.That(_context.App.ServiceNow.RequestCounts.Keys.Where(k => k.StartsWith("PATCH", StringComparison.Ordinal)), Is.Empty);
        });
    }

    [Test]
    public async Task A_removed_resource_closes_its_assignment_as_resource_removed()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        Assert.That(_context.App.ResourceManager.State.RemoveAssessment(assignment.ResourceId, assignment.AssessmentName), Is.True);

        var run = await _context.Sync.SyncAsync(integrationId);

        Assert.Multiple(async () =>
        {
            Assert.That(run["integrations"]![0]!["assignmentsClosed"]!["resourceRemoved"]!.GetValue<int>(), Is.EqualTo(1), run.ToJsonString());
            await AssertClosedAsync(assignment, ClosedReason.ResourceRemoved);
            Assert.That(WorkNotes(assignment).Single(), Does.Contain("no longer reports").And.Contain("removed"));
        });
    }

    [Test]
    public async Task A_ticket_already_ended_is_left_alone()
    {
        var integrationId = await CreateIntegrationWithAsync("resolve");
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        SetFinding(assignment, SimulatedAssessmentStatus.Healthy);
        // Canceled in ServiceNow after the last run, and the finding fixed: the ticket pass closes it first.
        _context.App.ServiceNow.Cancel("incident", assignment.Ticket.SysId!);

        await _context.Sync.SyncAsync(integrationId);

        Assert.Multiple(async () =>
        {
            await AssertClosedAsync(assignment, ClosedReason.TicketCanceled);
            Assert.That(Ticket(assignment)["state"], Is.EqualTo("8"));
            Assert.That(WorkNotes(assignment), Is.Empty);
        });
    }

    [TestCase(403)]
    [TestCase(429)]
    [TestCase(503)]
    public async Task A_subscription_whose_findings_could_not_be_read_closes_nothing(int status)
    {
        var integrationId = await CreateIntegrationWithAsync("resolve");
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        _context.App.ResourceManager.State.RemoveAssessment(assignment.ResourceId, assignment.AssessmentName);
        _context.App.ResourceManager.Faults.FailNext(SimulatorFaults.Always, status, ResourceManagerOperations.ListSubscriptionAssessments, TimeSpan.Zero);
        try
        {
            var run = await _context.Sync.SyncAsync(integrationId);

            var part = run["integrations"]![0]!;
            Assert.Multiple(async () =>
            {
                Assert.That(part["assignmentsClosed"]!.AsObject(), Is.Empty, run.ToJsonString());
                Assert.That(part["errors"]!.AsArray().Single()!["message"]!.GetValue<string>(), Does.Contain("could not be read"));
                Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("partiallySucceeded"));
                Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(AssignmentStatus.Active));
                Assert.That(_context.Sync.Governance(assignment), Is.Not.Null);
                Assert.That(Ticket(assignment)["state"], Is.EqualTo("1"));
                Assert.That(WorkNotes(assignment), Is.Empty);
            });
        }
        finally
        {
            _context.App.ResourceManager.Faults.Clear();
        }

        await _context.Sync.SyncAsync(integrationId);
        await AssertClosedAsync(assignment, ClosedReason.ResourceRemoved);
    }

    [Test]
    public async Task A_run_that_dies_after_writing_the_note_closes_the_assignment_once_with_one_note_when_repeated()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        SetFinding(assignment, SimulatedAssessmentStatus.Healthy);
        // The note is written, then its answer is lost: the run ends without closing the assignment.
        _context.App.ServiceNow.Faults.FailAfterCommitNext(1, "PATCH /api/now/table/incident");

        var died = await _context.Sync.SyncAsync(integrationId);

        Assert.Multiple(async () =>
        {
            Assert.That(died["integrations"]![0]!["status"]!.GetValue<string>(), Is.EqualTo("unreachable"), died.ToJsonString());
            Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(AssignmentStatus.Active));
            Assert.That(WorkNotes(assignment), Has.Count.EqualTo(1));
        });

        var repeated = await _context.Sync.SyncAsync(integrationId);

        Assert.Multiple(async () =>
        {
            Assert.That(repeated["integrations"]![0]!["assignmentsClosed"]!["resourceHealthy"]!.GetValue<int>(), Is.EqualTo(1), repeated.ToJsonString());
            await AssertClosedAsync(assignment, ClosedReason.ResourceHealthy);
            Assert.That(WorkNotes(assignment), Has.Count.EqualTo(1), "the repeated run does not write the note again");
        });
    }

    [Test]
    public async Task A_note_refused_for_the_credentials_is_written_by_the_next_run()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        SetFinding(assignment, SimulatedAssessmentStatus.Healthy);
        // The note's request and its retry after a token renewal are both refused 401.
        _context.App.ServiceNow.Faults.UnauthorizedNext(2, "PATCH /api/now/table/incident");

        var refused = await _context.Sync.SyncAsync(integrationId);

        Assert.Multiple(async () =>
        {
            Assert.That(refused["integrations"]![0]!["status"]!.GetValue<string>(), Is.EqualTo("credentialsRejected"), refused.ToJsonString());
            Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(AssignmentStatus.Active));
            Assert.That((await _context.Sync.StoredAsync(assignment)).Closing, Is.Null);
            Assert.That(WorkNotes(assignment), Is.Empty);
        });

        _context.App.ServiceNow.Faults.Clear();
        await _context.Sync.SyncAsync(integrationId);

        await AssertClosedAsync(assignment, ClosedReason.ResourceHealthy);
        Assert.That(WorkNotes(assignment), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_defender_failure_while_closing_is_reported_and_the_next_run_finishes_without_a_second_note()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        SetFinding(assignment, SimulatedAssessmentStatus.Healthy);
        _context.App.ResourceManager.Faults.FailNext(SimulatorFaults.Always, 500, ResourceManagerOperations.DeleteGovernanceAssignment);
        try
        {
            var failed = await _context.Sync.SyncAsync(integrationId);
            Assert.That(failed["integrations"]![0]!["errors"]!.AsArray(), Has.Count.EqualTo(1), failed.ToJsonString());
            Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(AssignmentStatus.Active));
        }
        finally
        {
            _context.App.ResourceManager.Faults.Clear();
        }

        await _context.Sync.SyncAsync(integrationId);

        await AssertClosedAsync(assignment, ClosedReason.ResourceHealthy);
        Assert.That(WorkNotes(assignment), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Findings_are_read_in_one_paged_list_per_subscription_not_per_resource()
    {
        var scope = "/subscriptions/" + Guid.NewGuid().ToString("D");
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: scope);
        var assignments = await _context.Sync.Assignments.CreateManyAsync(integrationId, 30, scope);
        SetFinding(assignments[0], SimulatedAssessmentStatus.Healthy);
        _context.App.ResourceManager.State.PageSize = 10;
        _context.App.ResourceManager.State.ResetRequestCounts();
        try
        {
            var run = await _context.Sync.SyncAsync(integrationId);

            var state = _context.App.ResourceManager.State;
            Assert.Multiple(() =>
            {
                Assert.That(run["integrations"]![0]!["findingsRead"]!.GetValue<int>(), Is.EqualTo(30), run.ToJsonString());
                Assert.That(state.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.EqualTo(3), "30 findings in pages of 10");
                Assert.That(state.RequestCount(ResourceManagerOperations.GetAssessment), Is.Zero);
                Assert.That(state.RequestCount(ResourceManagerOperations.DeleteGovernanceAssignment), Is.EqualTo(1), "the one fixed finding");
                Assert.That(
                    state.RequestCounts.Where(c => c.Key is not (ResourceManagerOperations.ListSubscriptionAssessments
                        or ResourceManagerOperations.ListSubscriptionAssessmentMetadata or ResourceManagerOperations.DeleteGovernanceAssignment)),
                    Is.Empty,
                    "nothing is read per resource or per recommendation");
            });
        }
        finally
        {
            _context.App.ResourceManager.State.PageSize = 100;
        }
    }

    [Test]
    public async Task Under_a_management_group_each_subscription_is_read_once_and_one_that_fails_holds_back_only_its_own()
    {
        var group = "mg-" + Guid.NewGuid().ToString("N")[..8];
        var readable = Guid.NewGuid().ToString("D");
        var denied = Guid.NewGuid().ToString("D");
        _context.App.ResourceManager.State.AddManagementGroup(new SimulatedManagementGroup(group, null));
        _context.App.ResourceManager.State.AddSubscription(new SimulatedSubscription(readable, group));
        _context.App.ResourceManager.State.AddSubscription(new SimulatedSubscription(denied, group));
        var body = _context.Harness.ValidBody();
        body["scope"] = new Dictionary<string, object?> { ["type"] = "managementGroup", ["id"] = $"/providers/Microsoft.Management/managementGroups/{group}" };
        var created = await _context.Harness.CreateAsync(body);
        Assert.That(created.Status, Is.EqualTo(201), created.ToString());
        var integrationId = created.Json["id"]!.GetValue<string>();
        var fixedHere = await _context.Sync.Assignments.CreateAsync(integrationId, "incident", LiveAssignments.NewResourceId($"/subscriptions/{readable}"));
        var unhealthyHere = await _context.Sync.Assignments.CreateAsync(integrationId, "incident", LiveAssignments.NewResourceId($"/subscriptions/{readable}"));
        var fixedThere = await _context.Sync.Assignments.CreateAsync(integrationId, "incident", LiveAssignments.NewResourceId($"/subscriptions/{denied}"));
        SetFinding(fixedHere, SimulatedAssessmentStatus.Healthy);
        SetFinding(fixedThere, SimulatedAssessmentStatus.Healthy);
        _context.App.ResourceManager.State.RevokeRoles($"/subscriptions/{denied}");
        _context.App.ResourceManager.State.ResetRequestCounts();
        try
        {
            var run = await _context.Sync.SyncAsync(integrationId);

            var part = run["integrations"]![0]!;
            Assert.Multiple(async () =>
            {
                Assert.That(_context.App.ResourceManager.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessmentMetadata), Is.EqualTo(2), "one metadata list per subscription");
                Assert.That(_context.App.ResourceManager.State.RequestCount(ResourceManagerOperations.ListSubscriptionAssessments), Is.EqualTo(1), "one assessments list per subscription; the denied one is refused at its first read");
                Assert.That(part["assignmentsClosed"]!["resourceHealthy"]!.GetValue<int>(), Is.EqualTo(1), run.ToJsonString());
                Assert.That(part["errors"]!.AsArray().Single()!["message"]!.GetValue<string>(), Does.Contain(denied));
                await AssertClosedAsync(fixedHere, ClosedReason.ResourceHealthy);
                Assert.That((await _context.Sync.StoredAsync(unhealthyHere)).Status, Is.EqualTo(AssignmentStatus.Active));
                Assert.That((await _context.Sync.StoredAsync(fixedThere)).Status, Is.EqualTo(AssignmentStatus.Active));
                Assert.That(_context.Sync.Governance(fixedThere), Is.Not.Null);
                Assert.That(WorkNotes(fixedThere), Is.Empty);
            });
        }
        finally
        {
            _context.App.ResourceManager.State.RestoreRoles();
        }
    }

    [TestCase("resolved")]
    [TestCase("Resolve")]
    [TestCase("")]
    [TestCase(1)]
    public async Task A_bad_on_resource_healthy_is_refused_naming_the_field_and_nothing_is_written(object value)
    {
        var body = _context.Harness.ValidBody();
        body["onResourceHealthy"] = value;
        var secretsBefore = _context.App.KeyVault.SecretNames().Count;

        var created = await _context.Harness.CreateAsync(body);

        Assert.Multiple(() =>
        {
            Assert.That(created.Status, Is.EqualTo(400), created.ToString());
            Assert.That(created.Json["errors"]?["onResourceHealthy"], Is.Not.Null, created.ToString());
            Assert.That(_context.App.KeyVault.SecretNames(), Has.Count.EqualTo(secretsBefore));
        });

        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var updated = await _context.Harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("PATCH", $"/api/integrations/{integrationId}", FunctionCall.Json(new Dictionary<string, object?> { ["onResourceHealthy"] = value })),
            r => _context.Harness.Functions.Update(r, integrationId, CancellationToken.None)));

        Assert.Multiple(async () =>
        {
            Assert.That(updated.Status, Is.EqualTo(400), updated.ToString());
            Assert.That(updated.Json["errors"]?["onResourceHealthy"], Is.Not.Null, updated.ToString());
            Assert.That((await _context.Harness.GetAsync(integrationId)).Json["onResourceHealthy"]!.GetValue<string>(), Is.EqualTo("note"));
        });
    }

    [Test]
    public async Task On_resource_healthy_is_kept_and_changed_by_update()
    {
        var integrationId = await CreateIntegrationWithAsync("none");

        var updated = await _context.Harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("PATCH", $"/api/integrations/{integrationId}", "{\"onResourceHealthy\":\"resolve\"}"),
            r => _context.Harness.Functions.Update(r, integrationId, CancellationToken.None)));
        var renamed = await _context.Harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("PATCH", $"/api/integrations/{integrationId}", "{\"name\":\"renamed-" + Guid.NewGuid().ToString("N")[..6] + "\"}"),
            r => _context.Harness.Functions.Update(r, integrationId, CancellationToken.None)));

        Assert.Multiple(() =>
        {
            Assert.That(updated.Json["onResourceHealthy"]!.GetValue<string>(), Is.EqualTo("resolve"), updated.ToString());
            Assert.That(renamed.Json["onResourceHealthy"]!.GetValue<string>(), Is.EqualTo("resolve"), renamed.ToString());
        });
    }

    private async Task<string> CreateIntegrationWithAsync(string onResourceHealthy)
    {
        var body = _context.Harness.ValidBody();
        body["onResourceHealthy"] = onResourceHealthy;
        var response = await _context.Harness.CreateAsync(body);
        Assert.That(response.Status, Is.EqualTo(201), response.ToString());
        Assert.That(response.Json["onResourceHealthy"]!.GetValue<string>(), Is.EqualTo(onResourceHealthy));
        return response.Json["id"]!.GetValue<string>();
    }

    private void SetFinding(Assignment assignment, SimulatedAssessmentStatus status) =>
        _context.App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(assignment.ResourceId, assignment.AssessmentName, status));

    private IReadOnlyDictionary<string, string> Ticket(Assignment assignment) =>
        _context.App.ServiceNow.GetRecord(assignment.Ticket.Table, assignment.Ticket.SysId!)!;

    private List<string> WorkNotes(Assignment assignment) =>
        _context.App.ServiceNow.JournalOf(assignment.Ticket.Table, assignment.Ticket.SysId!)
            .Where(e => e.Element == "work_notes" && e.Value.Contains("Defender for Cloud", StringComparison.Ordinal))
            .Select(e => e.Value)
            .ToList();

    private async Task AssertClosedAsync(Assignment assignment, ClosedReason reason)
    {
        var stored = await _context.Sync.StoredAsync(assignment);
        Assert.That((stored.Status, stored.ClosedReason), Is.EqualTo((AssignmentStatus.Closed, (ClosedReason?)reason)), assignment.Ticket.Number);
        Assert.That(_context.Sync.Governance(assignment), Is.Null, $"the governance assignment of {assignment.Ticket.Number} is gone");
    }
}
