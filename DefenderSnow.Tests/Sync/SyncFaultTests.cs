using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Storage;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Sync;

/// <summary>Faults a run must survive: upstream storms, expiring tokens, crashes, concurrent writers.</summary>
[TestFixture]
public sealed class SyncFaultTests : IUsesHarness
{
    private readonly FaultyAssignmentStore.Switches _switches = new();
    private SyncTestContext _context = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartAppWithFaultyStore() => _context = await SyncTestContext.StartAsync(configureServices: DecorateTheStore);

    private void DecorateTheStore(IServiceCollection services)
    {
        // Decorates the real store so a test can crash a handler between its Defender write and its Table write.
        var real = services.Single(d => d.ServiceType == typeof(IAssignmentStore));
        services.Remove(real);
        services.AddSingleton(real.ImplementationType!);
        services.AddSingleton<IAssignmentStore>(sp => new FaultyAssignmentStore((IAssignmentStore)sp.GetRequiredService(real.ImplementationType!), _switches));
    }

    [SetUp]
    public void BeginTestWithoutFaults()
    {
        _switches.CrashOnUpdateOf = null;
        _switches.ConcurrentChangeBeforeClose = null;
    }

    [Test]
    public async Task Storms_of_429_and_5xx_from_servicenow_and_resource_manager_mid_run_are_ridden_out()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var resolved = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var reassigned = await _context.Sync.CreateLiveAssignmentAsync(integrationId, "problem");
        _context.App.ServiceNow.Resolve("incident", resolved.Ticket.SysId!);
        _context.App.ServiceNow.Reassign("problem", reassigned.Ticket.SysId!, SyncDriver.OwnerB);
        _context.App.ServiceNow.Faults.RateLimitNext(2, TimeSpan.Zero);
        _context.App.ServiceNow.Faults.FailNext(1, 503);
        _context.App.ResourceManager.Faults.RateLimitNext(2, TimeSpan.Zero);
        _context.App.ResourceManager.Faults.FailNext(1, 503);

        var run = await _context.Sync.SyncAsync(integrationId);

        Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
        Assert.That((await _context.Sync.StoredAsync(resolved)).ClosedReason, Is.EqualTo(ClosedReason.TicketResolved));
        Assert.That((await _context.Sync.StoredAsync(reassigned)).AssignedTo, Is.EqualTo(SyncDriver.OwnerBEmail));
        Assert.That(_context.Sync.Governance(resolved), Is.Null);
        Assert.That(_context.Sync.Governance(reassigned)!.Owner, Is.EqualTo(SyncDriver.OwnerBEmail));
    }

    [Test]
    public async Task A_change_whose_defender_update_failed_is_reported_and_applied_by_the_next_run()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var first = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var second = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        _context.App.ServiceNow.Reassign("incident", first.Ticket.SysId!, SyncDriver.OwnerB);
        _context.App.ServiceNow.Reassign("incident", second.Ticket.SysId!, SyncDriver.OwnerB);
        // Every attempt of the first one's PUT fails (one try and three retries), whatever the order the changes are applied in.
        _context.App.ResourceManager.Faults.FailNext(4, 500, $"{ResourceManagerOperations.PutGovernanceAssignment} {GovernancePath(first)}");

        var failed = await _context.Sync.SyncAsync(integrationId);

        Assert.That(failed["status"]!.GetValue<string>(), Is.EqualTo("partiallySucceeded"), failed.ToJsonString());
        var error = failed["integrations"]![0]!["errors"]!.AsArray().Single()!;
        Assert.That(error["integrationId"]!.GetValue<string>(), Is.EqualTo(integrationId));
        var (notApplied, applied) = (first, second);
        Assert.That(error["ticket"]!.GetValue<string>(), Is.EqualTo(notApplied.Ticket.Number));
        Assert.That((await _context.Sync.StoredAsync(notApplied)).AssignedTo, Is.EqualTo(SyncDriver.OwnerAEmail), "nothing half-written");
        Assert.That((await _context.Sync.StoredAsync(applied)).AssignedTo, Is.EqualTo(SyncDriver.OwnerBEmail), "other changes are still applied");

        var retried = await _context.Sync.SyncAsync(integrationId);

        Assert.That(retried["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), retried.ToJsonString());
        Assert.That((await _context.Sync.StoredAsync(notApplied)).AssignedTo, Is.EqualTo(SyncDriver.OwnerBEmail));
        Assert.That(_context.Sync.Governance(notApplied)!.Owner, Is.EqualTo(SyncDriver.OwnerBEmail));
        Assert.That(retried["integrations"]![0]!["ownersChanged"]!.GetValue<int>(), Is.EqualTo(1), "the other change is not applied twice");
    }

    [Test]
    public async Task Expired_access_tokens_and_a_rejected_refresh_token_are_recovered_with_the_password()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var problem = await _context.Sync.CreateLiveAssignmentAsync(integrationId, "problem");
        _context.App.ServiceNow.Cancel("incident", assignment.Ticket.SysId!);
        _context.App.ServiceNow.Close("problem", problem.Ticket.SysId!);
        _context.App.ServiceNow.ExpireAllTokens();
        // And mid-run, after the incident table was read, the renewed access token is refused once more.
        _context.App.ServiceNow.Faults.UnauthorizedNext(1, "GET /api/now/table/problem");
        _context.App.ServiceNow.ResetRequestCounts();

        var run = await _context.Sync.SyncAsync(integrationId);

        Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
        Assert.That((await _context.Sync.StoredAsync(assignment)).ClosedReason, Is.EqualTo(ClosedReason.TicketCanceled));
        Assert.That((await _context.Sync.StoredAsync(problem)).ClosedReason, Is.EqualTo(ClosedReason.TicketClosed));
        Assert.That(_context.App.ServiceNow.RequestCount("GET /api/now/table/problem"), Is.EqualTo(2), "the refused read and the one after renewal");
        Assert.That(_context.App.ServiceNow.TokenRequests("password"), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task A_crash_between_the_defender_write_and_the_table_write_is_finished_by_the_redelivered_message()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var reassigned = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var moved = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        _context.App.ServiceNow.Reassign("incident", reassigned.Ticket.SysId!, SyncDriver.OwnerB);
        _context.App.ServiceNow.UpdateTicket("incident", moved.Ticket.SysId!, new Dictionary<string, string> { ["state"] = "2" });
        // The process dies after Defender's write for the reassigned one, whichever change is applied first.
        _switches.CrashOnUpdateOf = reassigned.Id;
        _context.App.ResourceManager.State.ResetRequestCounts();

        var started = await _context.Sync.RunSyncAsync(new { integrationId });
        var deliveries = await _context.Sync.DeliverSyncMessagesAsync();

        Assert.That(deliveries, Is.EqualTo(2), "the crashed delivery and the one that finished");
        var run = (await _context.Sync.GetRunAsync(started.Json["runId"]!.GetValue<string>())).Json;
        Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
        Assert.That((await _context.Sync.StoredAsync(reassigned)).AssignedTo, Is.EqualTo(SyncDriver.OwnerBEmail));
        Assert.That((await _context.Sync.StoredAsync(moved)).Ticket.State, Is.EqualTo("In Progress"));
        Assert.That(_context.Sync.Governance(reassigned)!.Owner, Is.EqualTo(SyncDriver.OwnerBEmail));
        // The crashed change is written to Defender again, identically; the other one once.
        Assert.That(_context.App.ResourceManager.State.RequestCount(ResourceManagerOperations.PutGovernanceAssignment), Is.EqualTo(3));
    }

    [Test]
    public async Task A_concurrent_change_of_the_assignment_is_read_again_and_the_close_still_happens()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        _context.App.ServiceNow.Resolve("incident", assignment.Ticket.SysId!);
        _switches.ConcurrentChangeBeforeClose = assignment.Id;

        var run = await _context.Sync.SyncAsync(integrationId);

        Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
        var stored = await _context.Sync.StoredAsync(assignment);
        Assert.That((stored.Status, stored.ClosedReason), Is.EqualTo((AssignmentStatus.Closed, (ClosedReason?)ClosedReason.TicketResolved)));
        Assert.That(stored.ShortDescription, Is.EqualTo("changed concurrently"), "the other writer's change is kept");
    }

    [Test]
    public async Task A_ticket_reassigned_and_resolved_in_one_interval_is_closed_and_a_deleted_ticket_row_is_closed_by_the_full_pass()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var both = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var deleted = await _context.Sync.CreateLiveAssignmentAsync(integrationId, "change_request");
        _context.App.ServiceNow.Reassign("incident", both.Ticket.SysId!, SyncDriver.OwnerB);
        _context.App.ServiceNow.Resolve("incident", both.Ticket.SysId!);
        _context.App.ServiceNow.Delete("change_request", deleted.Ticket.SysId!);

        await _context.Sync.SyncAsync(integrationId);
        var full = await _context.Sync.SyncAsync(integrationId, full: true);

        Assert.That((await _context.Sync.StoredAsync(both)).ClosedReason, Is.EqualTo(ClosedReason.TicketResolved));
        Assert.That(_context.Sync.Governance(both), Is.Null);
        Assert.That((await _context.Sync.StoredAsync(deleted)).ClosedReason, Is.EqualTo(ClosedReason.TicketDeleted));
        Assert.That(_context.Sync.Governance(deleted), Is.Null);
        Assert.That(full["integrations"]![0]!["full"]!.GetValue<bool>(), Is.True);
    }

    private static string GovernancePath(Assignment assignment) =>
        $"{assignment.ResourceId}/providers/Microsoft.Security/assessments/{assignment.AssessmentName}/governanceAssignments/{assignment.Id}";

    /// <summary>The real store, with switches a test flips to crash a handler or to change an assignment under it.</summary>
    private sealed class FaultyAssignmentStore(IAssignmentStore inner, FaultyAssignmentStore.Switches switches) : IAssignmentStore
    {
        public Task<Versioned<Assignment>> AddAsync(Assignment assignment, CancellationToken cancellationToken) => inner.AddAsync(assignment, cancellationToken);

        public Task<Versioned<Assignment>?> GetAsync(string integrationId, string assignmentId, CancellationToken cancellationToken) => inner.GetAsync(integrationId, assignmentId, cancellationToken);

        public Task<Versioned<Assignment>?> FindAsync(string assignmentId, CancellationToken cancellationToken) => inner.FindAsync(assignmentId, cancellationToken);

        public Task<Versioned<Assignment>?> FindLiveAsync(string integrationId, string assessmentName, string resourceId, CancellationToken cancellationToken) =>
            inner.FindLiveAsync(integrationId, assessmentName, resourceId, cancellationToken);

        public Task<Versioned<Assignment>> UpdateAsync(Versioned<Assignment> assignment, CancellationToken cancellationToken)
        {
            if (switches.CrashOnUpdateOf == assignment.Value.Id)
            {
                switches.CrashOnUpdateOf = null;
                throw new IOException("simulated process crash");
            }

            return inner.UpdateAsync(assignment, cancellationToken);
        }

        public async Task<Versioned<Assignment>> CloseAsync(Versioned<Assignment> assignment, ClosedReason reason, DateTimeOffset closedAt, CancellationToken cancellationToken)
        {
            if (switches.ConcurrentChangeBeforeClose == assignment.Value.Id)
            {
                switches.ConcurrentChangeBeforeClose = null;
                await inner.UpdateAsync(assignment with { Value = assignment.Value with { ShortDescription = "changed concurrently" } }, cancellationToken);
            }

            return await inner.CloseAsync(assignment, reason, closedAt, cancellationToken);
        }

        public Task<ResultPage<Assignment>> ListAsync(AssignmentQuery query, int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
            inner.ListAsync(query, pageSize, continuationToken, cancellationToken);

        public IAsyncEnumerable<Versioned<Assignment>> ListLiveAsync(string integrationId, CancellationToken cancellationToken) => inner.ListLiveAsync(integrationId, cancellationToken);

        public IAsyncEnumerable<Versioned<Assignment>> ListLiveAsync(string integrationId, int pageSize, CancellationToken cancellationToken) =>
            inner.ListLiveAsync(integrationId, pageSize, cancellationToken);

        public Task<int> CountLiveAsync(string integrationId, CancellationToken cancellationToken) => inner.CountLiveAsync(integrationId, cancellationToken);

        public Task<IReadOnlyList<Versioned<Assignment>>> ListLiveGroupAsync(string integrationId, string groupId, CancellationToken cancellationToken) =>
            inner.ListLiveGroupAsync(integrationId, groupId, cancellationToken);

        public IAsyncEnumerable<Assignment> ListClosedAsync(string integrationId, CancellationToken cancellationToken) => inner.ListClosedAsync(integrationId, cancellationToken);

        public sealed class Switches
        {
            public string? CrashOnUpdateOf { get; set; }

            public string? ConcurrentChangeBeforeClose { get; set; }
        }
    }
}
