using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Storage;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// DELETE is idempotent for a background delete too: repeating it while the queue's chain goes on answers 202 with the
/// integration and starts no second chain, so two chains never race over the same assignments (issue 26, item 6).
/// </summary>
[TestFixture]
public sealed class RepeatedDeleteTests : IUsesHarness
{
    private IntegrationHarness _harness = null!;
    private SyncDriver _sync = null!;

    private TestApp App => _harness.App;

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        // Every delete with an assignment goes on in the background.
        var context = await SyncTestContext.StartAsync(settings => settings["IntegrationDeletion:InlineAssignments"] = "0");
        (_harness, _sync) = (context.Harness, context.Sync);
    }

    [Test]
    public async Task A_repeated_delete_while_the_background_delete_goes_on_starts_no_second_chain()
    {
        var integrationId = await _harness.CreateIntegrationAsync();
        var first = await _sync.CreateLiveAssignmentAsync(integrationId);
        var second = await _sync.CreateLiveAssignmentAsync(integrationId);

        var started = await _harness.DeleteAsync(integrationId);
        var repeated = new List<FunctionResponse>();
        for (var i = 0; i < 3; i++)
        {
            repeated.Add(await _harness.DeleteAsync(integrationId));
        }

        Assert.That(started.Status, Is.EqualTo(202), started.ToString());
        Assert.That(repeated.Select(r => r.Status), Is.All.EqualTo(202));
        Assert.That(repeated.Select(r => r.Json["status"]!.GetValue<string>()), Is.All.EqualTo("deleting"));
        Assert.That(await App.Queues.PeekAsync(WorkQueue.IntegrationDeletions), Has.Count.EqualTo(1), "one chain");

        var deliveries = await App.Queues.DrainAsync(WorkQueue.IntegrationDeletions, m => _harness.Functions.CompleteDeletion(m, CancellationToken.None));

        Assert.That(deliveries, Is.EqualTo(1));
        Assert.That((await _harness.GetAsync(integrationId)).Status, Is.EqualTo(404));
        foreach (var assignment in new[] { first, second })
        {
            var stored = (await App.Get<IAssignmentStore>().GetAsync(integrationId, assignment.Id, CancellationToken.None))!.Value;
            Assert.That((stored.Status, stored.ClosedReason), Is.EqualTo((AssignmentStatus.Closed, (ClosedReason?)ClosedReason.IntegrationDeleted)));
            Assert.That(_sync.Governance(assignment), Is.Null);
        }

        Assert.That((await _harness.DeleteAsync(integrationId)).Status, Is.EqualTo(404), "and once it is gone, a delete finds nothing");
    }
}
