using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Core.Storage;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Integrations;

namespace DefenderSnow.Tests.Sync;

/// <summary>A delete too big for one request goes on from the queue, paced by a throttling Resource Manager.</summary>
[TestFixture]
public sealed class BackgroundDeletionTests : IUsesHarness
{
    private const int LiveCount = 5000;
    private const int InjectedThrottles = 8;

    private SyncTestContext _context = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartAppWithShortPauses() => _context = await SyncTestContext.StartAsync(settings =>
    {
        settings["Defender:EmptyBucketPause"] = "00:00:00.001";
        settings["IntegrationDeletion:RetryPause"] = "00:00:00.050";
    });

    [Test]
    public async Task Deleting_an_integration_with_5000_live_assignments_under_throttling_removes_everything_from_the_queue()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var throttling = _context.App.ResourceManager.State.Throttling;
        throttling.Configure(ThrottledRequestKind.Write, 1_000_000, 1_000_000);
        // Deletion never reads tickets: none are opened, which keeps the seeding short.
        var assignments = await _context.Sync.Assignments.SeedWithoutTicketsAsync(integrationId, LiveCount, IntegrationHarness.SubscriptionScope);

        // A small, fast delete bucket: it empties every few dozen deletes when the machine is fast enough, so
        // 429s come often but waits stay short. On a busy machine the deletes may never outrun it, so a run of
        // 429s is also served for certain, enough to exhaust a request's retries and pause a batch.
        throttling.Configure(ThrottledRequestKind.Delete, capacity: 10, refillPerSecond: 200);
        _context.App.ResourceManager.Faults.RateLimitNext(InjectedThrottles, TimeSpan.Zero);
        var secretNames = Enum.GetValues<IntegrationSecret>().Select(s => KeyVaultSecretName.For(integrationId, s)).ToList();

        var accepted = await _context.Harness.DeleteAsync(integrationId);

        Assert.That(accepted.Status, Is.EqualTo(202), accepted.ToString());
        Assert.That(accepted.Headers.Location.ToString(), Is.EqualTo($"/api/integrations/{integrationId}"));
        Assert.That(accepted.Json["status"]!.GetValue<string>(), Is.EqualTo("deleting"));
        Assert.That(accepted.Json["statusDetail"]!.GetValue<string>(), Is.EqualTo($"{LiveCount} assignments remain."));
        var polled = await _context.Harness.GetAsync(integrationId);
        Assert.That(polled.Json["status"]!.GetValue<string>(), Is.EqualTo("deleting"));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var deliveries = await _context.App.Queues.DrainAsync(WorkQueue.IntegrationDeletions, m => _context.Harness.Functions.CompleteDeletion(m, CancellationToken.None));

        TestContext.Progress.WriteLine($"deletion: {deliveries} deliveries, {throttling.ThrottledCount} throttled, {clock.Elapsed}");
        Assert.That(deliveries, Is.GreaterThan(1), "the work was done in batches");
        Assert.That(_context.App.ResourceManager.Faults.Pending, Is.Zero, "every injected 429 was served");
        Assert.That(await _context.App.Queues.PoisonAsync(WorkQueue.IntegrationDeletions), Is.Empty);
        // Throttling may pause a batch (it resumes from the next message), but no request ever timed out.
        Assert.That(_context.App.Logs.Lines.Where(l => l.Contains("timed out", StringComparison.OrdinalIgnoreCase) || l.Contains("Timeout", StringComparison.Ordinal)), Is.Empty);
        Assert.That((await _context.Harness.GetAsync(integrationId)).Status, Is.EqualTo(404));
        var keys = assignments.Select(a => a.Id).ToHashSet();
        Assert.That(_context.App.ResourceManager.State.GovernanceAssignments.Count(g => keys.Contains(g.AssignmentKey)), Is.Zero);
        var store = _context.App.Get<IAssignmentStore>();
        var page = await store.ListAsync(new AssignmentQuery(integrationId), 1000, null, CancellationToken.None);
        var all = new List<Assignment>(page.Items);
        while (page.ContinuationToken is not null)
        {
            page = await store.ListAsync(new AssignmentQuery(integrationId), 1000, page.ContinuationToken, CancellationToken.None);
            all.AddRange(page.Items);
        }

        Assert.That(all, Has.Count.EqualTo(LiveCount));
        Assert.That(all.All(a => a.Status == AssignmentStatus.Closed && a.ClosedReason == ClosedReason.IntegrationDeleted), Is.True);
        Assert.That(_context.App.KeyVault.SecretNames(), Has.None.AnyOf(secretNames.ToArray()));
    }
}
