using DefenderSnow.Core.Assignments;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// Resource Manager down (every connection dropped) during a sync run: the run record says Resource Manager could not be
/// reached (<c>ResourceManagerUnreachableException</c>'s message), nothing is closed on a guess, and the next run,
/// with Resource Manager back, does what this one could not.
/// </summary>
[TestFixture]
public sealed class ResourceManagerOutageSyncTests : IUsesHarness
{
    private SyncTestContext _context = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartApp() => _context = await SyncTestContext.StartAsync();

    [Test]
    public async Task A_run_while_resource_manager_is_down_records_it_unreachable_and_the_next_run_closes_the_fixed_finding()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        // The subscription keeps another finding: a listing with none at all is withheld as suspicious (DeletionProofTests).
        var subscription = "/subscriptions/" + assignment.ResourceId.Split('/')[2];
        _context.App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(LiveAssignments.NewResourceId(subscription), assignment.AssessmentName, SimulatedAssessmentStatus.Healthy));
        _context.App.ResourceManager.State.RemoveAssessment(assignment.ResourceId, assignment.AssessmentName);
        _context.App.ResourceManager.Faults.DropNext(SimulatorFaults.Always);
        try
        {
            var run = await _context.Sync.SyncAsync(integrationId);

            var part = run["integrations"]![0]!;
            Assert.Multiple(async () =>
            {
                Assert.That(run["status"]!.GetValue<string>(), Is.EqualTo("partiallySucceeded"), run.ToJsonString());
                Assert.That(part["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), "ServiceNow answered; only it sets the status");
                Assert.That(part["errors"]!.AsArray().Single()!["message"]!.GetValue<string>(), Does.Contain("Resource Manager could not be reached"));
                Assert.That(part["assignmentsClosed"]!.AsObject(), Is.Empty);
                Assert.That((await _context.Sync.StoredAsync(assignment)).Status, Is.EqualTo(AssignmentStatus.Active));
            });
        }
        finally
        {
            _context.App.ResourceManager.Faults.Clear();
        }

        var next = await _context.Sync.SyncAsync(integrationId);

        Assert.Multiple(async () =>
        {
            Assert.That(next["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), next.ToJsonString());
            Assert.That(next["integrations"]![0]!["assignmentsClosed"]!["resourceRemoved"]!.GetValue<int>(), Is.EqualTo(1));
            var stored = await _context.Sync.StoredAsync(assignment);
            Assert.That((stored.Status, stored.ClosedReason), Is.EqualTo((AssignmentStatus.Closed, (ClosedReason?)ClosedReason.ResourceRemoved)));
        });
    }
}
