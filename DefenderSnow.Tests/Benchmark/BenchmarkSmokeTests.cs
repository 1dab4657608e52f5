using System.Text.Json.Nodes;
using DefenderSnow.Benchmark;
using DefenderSnow.Tests.Infrastructure;

namespace DefenderSnow.Tests.Benchmark;

/// <summary>
/// The benchmark's --quick run (1/20 of the sizes) as a smoke test: every scenario completes and costs the requests
/// the design promises. Times are never asserted; the latency is cut to 1 ms so the run stays short.
/// </summary>
[TestFixture]
public sealed class BenchmarkSmokeTests
{
    private static readonly BenchmarkSizes Sizes = BenchmarkSizes.QuickRun;
    private IReadOnlyList<ScenarioResult> _results = null!;
    private string _output = null!;

    [OneTimeSetUp]
    public async Task RunQuickBenchmark()
    {
        _output = Directory.CreateTempSubdirectory("defendersnow-benchmark-").FullName;
        var options = new BenchmarkOptions
        {
            Quick = true,
            OutDirectory = _output,
            StorageConnectionString = await Azurite.GetConnectionStringAsync(),
            Latency = TimeSpan.FromMilliseconds(1),
        };
        _results = await new BenchmarkRunner(options, TestContext.Progress).RunAsync(CancellationToken.None);
        await BenchmarkReport.WriteAsync(_results, options, CancellationToken.None);
    }

    [OneTimeTearDown]
    public void RemoveOutput() => Directory.Delete(_output, recursive: true);

    [Test]
    public void Every_scenario_completes()
    {
        Assert.That(_results, Has.Count.EqualTo(9));
        Assert.That(_results.Where(r => !r.Completed).Select(r => $"{r.Name}: {r.Notes}"), Is.Empty);
    }

    [Test]
    public void A_full_reconciliation_reads_tickets_in_chunks_and_lists_assignments_in_pages_without_a_read_per_assignment()
    {
        var full = Scenario("full reconciliation");
        // 100 sys_ids a read, one token; the rows come in pages of 200 and nothing is read again or written for unchanged
        // tickets. A full pass also compares the live assignments with Defender's findings (closing on the fix): the
        // live listing a second time, and the subscription's findings in pages of 100 (plus the recommendation's severity).
        Assert.That(full.ServiceNowRequests, Is.LessThanOrEqualTo((Sizes.Live / 100) + 10));
        Assert.That(full.TableOperations, Is.LessThanOrEqualTo((2 * Sizes.Live / 200) + 30));
        Assert.That(full.ResourceManagerReads, Is.LessThanOrEqualTo((Sizes.Live / 100) + 2));
        Assert.That(full.ResourceManagerWrites, Is.Zero);
    }

    [Test]
    public void An_incremental_run_costs_what_changed_not_what_exists()
    {
        // The full reconciliation compared the findings moments ago, so this run does not (FindingsCheckEvery).
        var quiet = Scenario($"incremental sync, {Sizes.Live:N0} live, none changed");
        Assert.That(quiet.ServiceNowRequests, Is.LessThanOrEqualTo(4));
        Assert.That(quiet.ResourceManagerReads + quiet.ResourceManagerWrites, Is.Zero);

        var changed = Scenario($"incremental sync, {Sizes.Live:N0} live, {Sizes.Changed:N0} changed");
        Assert.That(changed.ServiceNowRequests, Is.LessThanOrEqualTo(10));
        Assert.That(changed.ResourceManagerWrites, Is.EqualTo(Sizes.Changed));
    }

    [Test]
    public void The_naive_reference_reads_once_per_live_assignment()
    {
        var naive = Scenario("naive sync");
        Assert.That(naive.ServiceNowRequests, Is.EqualTo(Sizes.Live).Within(Sizes.Live / Sizes.NaiveSample));
        Assert.That(naive.Notes, Does.Contain("naive ÷ ours"));
    }

    [Test]
    public void Creation_and_deletion_write_once_per_assignment_and_with_the_bucket_on_the_refused_writes_are_retried()
    {
        var create = Scenario($"create {Sizes.Created:N0} assignments, {Sizes.CreateCallers} callers in parallel");
        Assert.That(create.ResourceManagerWrites, Is.EqualTo(Sizes.Created));
        Assert.That(create.ResourceManagerReads, Is.EqualTo(2 * Sizes.Created), "the recommendation and the finding, per create");
        // Per create: the ticket and the two duplicate checks around the governance write; owner and caller are
        // remembered, so read by the first few callers only.
        Assert.That(create.ServiceNowRequests, Is.LessThanOrEqualTo((3 * Sizes.Created) + (2 * Sizes.CreateCallers)));
        Assert.That(Scenario($"delete an integration with {Sizes.Deleted:N0} live").ResourceManagerWrites, Is.EqualTo(Sizes.Deleted));

        var deleteWithBucket = Scenario($"delete an integration with {Sizes.Deleted:N0} live, write bucket on");
        Assert.That(deleteWithBucket.ResourceManagerWrites - deleteWithBucket.ResourceManagerThrottled, Is.EqualTo(Sizes.Deleted));
        Assert.That(deleteWithBucket.Floor, Is.Not.Null.And.GreaterThan(TimeSpan.Zero));
        Assert.That(Scenario($"incremental sync, {Sizes.Live:N0} live, {Sizes.Changed:N0} changed, write bucket on").ResourceManagerWrites
            - Scenario($"incremental sync, {Sizes.Live:N0} live, {Sizes.Changed:N0} changed, write bucket on").ResourceManagerThrottled, Is.EqualTo(Sizes.Changed));
    }

    [Test]
    public void The_table_is_written_as_markdown_and_json()
    {
        var markdown = File.ReadAllText(Path.Combine(_output, "benchmark.md"));
        Assert.That(markdown, Does.Contain("| full reconciliation, 5,000 live, none changed |"));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_output, "benchmark.json")))!;
        Assert.That(json["scenarios"]!.AsArray(), Has.Count.EqualTo(_results.Count));
        Assert.That(json["scenarios"]![0]!["serviceNowRequests"]!.GetValue<int>(), Is.EqualTo(_results[0].ServiceNowRequests));
    }

    private ScenarioResult Scenario(string prefix)
    {
        var matches = _results.Where(r => r.Name.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        // Longer names extend shorter ones (", write bucket on"): the shortest match is the one named.
        return matches.OrderBy(r => r.Name.Length).FirstOrDefault() ?? throw new AssertionException($"No scenario named '{prefix}…' in: {string.Join("; ", _results.Select(r => r.Name))}");
    }
}
