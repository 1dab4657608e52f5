using System.Diagnostics;
using System.Text.Json.Nodes;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.Sync;
using DefenderSnow.Functions.Assignments;
using DefenderSnow.Functions.Integrations;
using DefenderSnow.Functions.Sync;

namespace DefenderSnow.Benchmark;

/// <summary>
/// Runs every scenario of the benchmark against the real functions, Core services and queue handlers: the
/// population is put in place first, then each scenario is timed on its own with fresh request counts.
/// </summary>
public sealed class BenchmarkRunner
{
    private const string ClientId = "defendersnow-benchmark";
    private const string ServiceUser = "svc-benchmark";
    private static readonly string SubscriptionScope = "/subscriptions/" + Guid.NewGuid().ToString("D");

    private readonly BenchmarkOptions _options;
    private readonly TextWriter _progress;
    private readonly string _password = "Pw-" + Guid.NewGuid().ToString("N");
    private readonly string _clientSecret = "Cs-" + Guid.NewGuid().ToString("N");
    private BenchmarkApp _app = null!;
    private SimulatorProcess _sims = null!;
    private Population _population = null!;

    /// <summary>The refill rate the buckets were last turned on with: each scenario's floor is counted at its own.</summary>
    private double _bucketRefill;
    private Owner _ownerA = null!;
    private Owner _ownerB = null!;

    public BenchmarkRunner(BenchmarkOptions options, TextWriter progress)
    {
        _options = options;
        _progress = progress;
    }

    private BenchmarkSizes Sizes => _options.Sizes;

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(CancellationToken cancellationToken)
    {
        using var azurite = _options.StorageConnectionString is null ? await AzuriteProcess.StartAsync(indexedTables: !_options.StockAzurite).ConfigureAwait(false) : null;
        await using var simulators = _sims = await SimulatorProcess.StartAsync().ConfigureAwait(false);
        using var app = _app = BenchmarkApp.Start(_options.StorageConnectionString ?? azurite!.ConnectionString, simulators);
        return await RunScenariosAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<ScenarioResult>> RunScenariosAsync(CancellationToken cancellationToken)
    {
        _population = new Population(_app, _sims, SubscriptionScope, Progress);
        var users = (await _sims.SendAsync(
            new JsonObject
            {
                ["op"] = "setup",
                ["clientId"] = ClientId,
                ["clientSecret"] = _clientSecret,
                ["users"] = new JsonArray(
                    new JsonObject { ["userName"] = ServiceUser, ["email"] = "svc-benchmark@contoso.example", ["password"] = _password },
                    new JsonObject { ["userName"] = "owner.a", ["email"] = "owner.a@contoso.example", ["name"] = "Owner A" },
                    new JsonObject { ["userName"] = "owner.b", ["email"] = "owner.b@contoso.example", ["name"] = "Owner B" }),
            },
            cancellationToken).ConfigureAwait(false))["users"]!;
        _ownerA = new Owner("owner.a", "owner.a@contoso.example", users["owner.a"]!.GetValue<string>());
        _ownerB = new Owner("owner.b", "owner.b@contoso.example", users["owner.b"]!.GetValue<string>());
        await BucketsAsync(on: false, cancellationToken).ConfigureAwait(false);
        var results = new List<ScenarioResult>();

        Progress($"Seeding {Sizes.Live:N0} live assignments");
        var integrationId = await CreateIntegrationAsync("bench-sync", cancellationToken).ConfigureAwait(false);
        var (_, live) = await _population.SeedLiveAsync(integrationId, Sizes.Live, _ownerA, cancellationToken).ConfigureAwait(false);
        await StartCursorsNowAsync(integrationId, cancellationToken).ConfigureAwait(false);
        await LatencyAsync(_options.Latency, cancellationToken).ConfigureAwait(false);

        var full = await MeasureAsync($"full reconciliation, {Sizes.Live:N0} live, none changed", "≤ 60 s; ServiceNow ≤ 1,010; peak ≤ 500 MB", async () =>
            CheckSync(await SyncAsync(integrationId, full: true, cancellationToken).ConfigureAwait(false), examined: Sizes.Live)).ConfigureAwait(false);
        results.Add(full);
        var quiet = await MeasureAsync($"incremental sync, {Sizes.Live:N0} live, none changed", "≤ 2 s; ServiceNow ≤ 4", async () =>
            CheckSync(await SyncAsync(integrationId, full: false, cancellationToken).ConfigureAwait(false), examined: 0)).ConfigureAwait(false);
        results.Add(quiet);
        var naive = await NaiveAsync(integrationId, cancellationToken).ConfigureAwait(false);
        var changed = await IncrementalChangedAsync(integrationId, live, bucket: false, cancellationToken).ConfigureAwait(false);
        results.Add(changed);
        results.Add(naive with
        {
            Notes = $"{naive.Notes}; naive ÷ ours: {Ratio(naive, full)} (full), {Ratio(naive, quiet)} (incremental, none changed), {Ratio(naive, changed)} (incremental, {Sizes.Changed:N0} changed)",
        });
        results.Add(await CreateAsync(integrationId, bucket: false, cancellationToken).ConfigureAwait(false));
        results.Add(await DeleteAsync(bucket: false, cancellationToken).ConfigureAwait(false));

        Progress($"Write bucket on: {_options.BucketCapacity} writes and {_options.BucketCapacity} deletes, refilled at {_options.BucketRefillPerSecond}/s (delete scenario {_options.DeleteBucketRefillPerSecond}/s)");
        results.Add(await IncrementalChangedAsync(integrationId, live, bucket: true, cancellationToken).ConfigureAwait(false));
        results.Add(await CreateAsync(integrationId, bucket: true, cancellationToken).ConfigureAwait(false));
        results.Add(await DeleteAsync(bucket: true, cancellationToken).ConfigureAwait(false));
        return results;
    }

    private async Task<ScenarioResult> IncrementalChangedAsync(string integrationId, List<Assignment> live, bool bucket, CancellationToken cancellationToken)
    {
        // Half resolved, half reassigned; taken off the live list so the next pass changes other tickets.
        var picked = live.Take(Sizes.Changed).ToList();
        live.RemoveRange(0, picked.Count);
        await LatencyAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        // Tickets opened since the last run (other scenarios' and other integrations' on the same instance) are
        // caught up first, so the timed run reads exactly the changes below.
        CheckOrThrow(await SyncAsync(integrationId, full: false, cancellationToken).ConfigureAwait(false));
        await _sims.SendAsync(
            new JsonObject
            {
                ["op"] = "change",
                ["items"] = new JsonArray(picked.Select((a, i) => (JsonNode)new JsonObject
                {
                    ["table"] = a.Ticket.Table,
                    ["sysId"] = a.Ticket.SysId,
                    ["action"] = i % 2 == 0 ? "resolve" : "reassign",
                    ["userName"] = _ownerB.UserName,
                }).ToArray()),
            },
            cancellationToken).ConfigureAwait(false);
        await LatencyAsync(_options.Latency, cancellationToken).ConfigureAwait(false);
        await BucketsAsync(bucket, cancellationToken).ConfigureAwait(false);
        var name = $"incremental sync, {Sizes.Live:N0} live, {Sizes.Changed:N0} changed" + (bucket ? ", write bucket on" : string.Empty);
        var target = bucket ? "within 10% of the floor" : $"≤ 15 s; ServiceNow ≤ 10; Resource Manager writes = {Sizes.Changed:N0}; peak ≤ 300 MB";
        return await MeasureAsync(name, target, async () =>
        {
            var run = await SyncAsync(integrationId, full: false, cancellationToken).ConfigureAwait(false);
            var check = CheckSync(run, examined: picked.Count);
            var owners = (await _sims.SendAsync(
                new JsonObject
                {
                    ["op"] = "governance",
                    ["keys"] = new JsonArray(picked.Select(a => (JsonNode)new JsonObject { ["resourceId"] = a.ResourceId, ["assessmentName"] = a.AssessmentName, ["id"] = a.Id }).ToArray()),
                },
                cancellationToken).ConfigureAwait(false))["owners"]!.AsArray();
            var closed = owners.Where((o, i) => i % 2 == 0 && o is null).Count();
            var reassigned = owners.Where((o, i) => i % 2 == 1 && o?.GetValue<string>() == _ownerB.Email).Count();

            return check + (closed == (picked.Count + 1) / 2 && reassigned == picked.Count / 2 ? string.Empty : $"; only {closed} closed and {reassigned} reassigned in Defender");
        }, bucket).ConfigureAwait(false);
    }

    /// <summary>The reference: one ServiceNow read per live assignment, one after another, timed on a sample and scaled.</summary>
    private async Task<ScenarioResult> NaiveAsync(string integrationId, CancellationToken cancellationToken)
    {
        var integration = (await _app.Get<IIntegrationStore>().GetAsync(integrationId, cancellationToken).ConfigureAwait(false))!.Value;
        var sample = new List<Assignment>(Sizes.NaiveSample);
        await foreach (var assignment in _app.Get<IAssignmentStore>().ListLiveAsync(integrationId, cancellationToken).ConfigureAwait(false))
        {
            sample.Add(assignment.Value);
            if (sample.Count == Sizes.NaiveSample)
            {
                break;
            }
        }

        var scale = (double)Sizes.Live / sample.Count;
        var measured = await MeasureAsync($"naive sync, {Sizes.Live:N0} live (reference)", "reported only", async () =>
        {
            var client = _app.Get<IServiceNowClientFactory>().Create(integration.ToConnection());
            var found = 0;
            foreach (var assignment in sample)
            {
                found += (await client.GetTicketsAsync(assignment.Ticket.Table, [assignment.Ticket.SysId!], cancellationToken).ConfigureAwait(false)).Count;
            }

            return found == sample.Count ? string.Empty : $"read {found} of {sample.Count} tickets";
        }).ConfigureAwait(false);
        return measured with
        {
            Elapsed = measured.Elapsed * scale,
            ServiceNowRequests = (int)Math.Round(measured.ServiceNowRequests * scale),
            ResourceManagerReads = (int)Math.Round(measured.ResourceManagerReads * scale),
            TableOperations = (int)Math.Round(measured.TableOperations * scale),
            Notes = $"timed on {sample.Count:N0} assignments and scaled ×{scale:0.#} (requests and time){(measured.Notes.Length > 0 ? "; " + measured.Notes : string.Empty)}",
        };
    }

    private async Task<ScenarioResult> CreateAsync(string integrationId, bool bucket, CancellationToken cancellationToken)
    {
        var assessmentName = Guid.NewGuid().ToString("D");
        var findings = (await _sims.SendAsync(new JsonObject { ["op"] = "findings", ["count"] = Sizes.Created, ["scope"] = SubscriptionScope, ["assessmentName"] = assessmentName }, cancellationToken).ConfigureAwait(false))
            ["resourceIds"]!.AsArray().Select(r => (ResourceId: r!.GetValue<string>(), AssessmentName: assessmentName)).ToList();
        var ticketsBefore = await TicketCountAsync(cancellationToken).ConfigureAwait(false);
        await BucketsAsync(bucket, cancellationToken).ConfigureAwait(false);
        var functions = _app.Function<AssignmentFunctions>();
        var name = $"create {Sizes.Created:N0} assignments, {Sizes.CreateCallers} callers in parallel" + (bucket ? ", write bucket on" : string.Empty);
        var target = bucket ? "within 10% of the floor" : $"≤ 40 s; exactly {Sizes.Created:N0} tickets";
        return await MeasureAsync(name, target, async () =>
        {
            var failures = new List<string>();
            await Parallel.ForEachAsync(findings, new ParallelOptions { MaxDegreeOfParallelism = Sizes.CreateCallers, CancellationToken = cancellationToken }, async (finding, token) =>
            {
                var body = new Dictionary<string, object?>
                {
                    ["integrationId"] = integrationId,
                    ["assessmentName"] = finding.AssessmentName,
                    ["resourceId"] = finding.ResourceId,
                    ["ticketType"] = "incident",
                    ["assignedTo"] = _ownerA.Email,
                    ["caller"] = _ownerA.UserName,
                    ["remediationTimeframeDays"] = 30,
                };
                var (status, answer) = await BenchmarkApp.CallAsync("POST", "/api/assignments", body, r => functions.Create(r, token)).ConfigureAwait(false);
                if (status != 201)
                {
                    lock (failures)
                    {
                        failures.Add($"{status} {answer?.ToJsonString()}");
                    }
                }
            }).ConfigureAwait(false);
            var tickets = await TicketCountAsync(cancellationToken).ConfigureAwait(false) - ticketsBefore;
            return (failures.Count == 0 ? string.Empty : $"{failures.Count} creates failed, first: {failures[0]}; ")
                + (tickets == Sizes.Created ? string.Empty : $"{tickets} tickets opened, not {Sizes.Created}");
        }, bucket).ConfigureAwait(false);
    }

    private async Task<ScenarioResult> DeleteAsync(bool bucket, CancellationToken cancellationToken)
    {
        await LatencyAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        await BucketsAsync(on: false, cancellationToken).ConfigureAwait(false);
        var integrationId = await CreateIntegrationAsync(bucket ? "bench-delete-bucket" : "bench-delete", cancellationToken).ConfigureAwait(false);
        Progress($"Seeding {Sizes.Deleted:N0} live assignments to delete");
        var (assessmentName, _) = await _population.SeedLiveAsync(integrationId, Sizes.Deleted, _ownerA, cancellationToken).ConfigureAwait(false);
        await LatencyAsync(_options.Latency, cancellationToken).ConfigureAwait(false);
        await BucketsAsync(bucket, cancellationToken, _options.DeleteBucketRefillPerSecond).ConfigureAwait(false);
        var functions = _app.Function<IntegrationFunctions>();
        var name = $"delete an integration with {Sizes.Deleted:N0} live" + (bucket ? ", write bucket on" : string.Empty);
        return await MeasureAsync(name, bucket ? "within 10% of the floor" : "completes", async () =>
        {
            var (status, answer) = await BenchmarkApp.CallAsync("DELETE", $"/api/integrations/{integrationId}", null, r => functions.Delete(r, integrationId, cancellationToken)).ConfigureAwait(false);
            if (status is not (202 or 204))
            {
                return $"DeleteIntegration answered {status} {answer?.ToJsonString()}";
            }

            await _app.DrainAsync(WorkQueue.IntegrationDeletions, m => functions.CompleteDeletion(m, cancellationToken), cancellationToken).ConfigureAwait(false);
            var left = (await _sims.SendAsync(new JsonObject { ["op"] = "governanceLeft", ["assessmentName"] = assessmentName }, cancellationToken).ConfigureAwait(false))["count"]!.GetValue<int>();
            var integration = await _app.Get<IIntegrationStore>().GetAsync(integrationId, cancellationToken).ConfigureAwait(false);
            return (left == 0 ? string.Empty : $"{left} governance assignments left; ") + (integration is null ? string.Empty : "the integration is still there");
        }, bucket).ConfigureAwait(false);
    }

    /// <summary>
    /// Times <paramref name="scenario"/> (which returns what went wrong, or nothing) with fresh request counts and a
    /// working-set sampler; with <paramref name="bucket"/> the floor is what the write and delete buckets allow for the
    /// writes that were accepted: the writes beyond a bucket's size, divided by its refill rate.
    /// </summary>
    private async Task<ScenarioResult> MeasureAsync(string name, string target, Func<Task<string>> scenario, bool bucket = false)
    {
        Progress(name);
        await _sims.SendAsync(new JsonObject { ["op"] = "resetCounts" }, CancellationToken.None).ConfigureAwait(false);
        var throttledBefore = (await _sims.SendAsync(new JsonObject { ["op"] = "counts" }, CancellationToken.None).ConfigureAwait(false))["throttled"]!.GetValue<int>();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _app.TableOperations.Reset();
        await using var sampler = WorkingSetSampler.Start();
        var baseline = sampler.Peak;
        var clock = Stopwatch.StartNew();
        var problem = await scenario().ConfigureAwait(false);
        clock.Stop();
        var tableOperations = _app.TableOperations.Count;
        var peak = sampler.Peak;
        var simulators = _sims.WorkingSet;
        var after = await _sims.SendAsync(new JsonObject { ["op"] = "counts" }, CancellationToken.None).ConfigureAwait(false);
        var counts = after["resourceManager"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<int>());
        var puts = counts.GetValueOrDefault("PutGovernanceAssignment");
        var deletes = counts.GetValueOrDefault("DeleteGovernanceAssignment");
        var throttled = after["throttled"]!.GetValue<int>() - throttledBefore;
        var result = new ScenarioResult
        {
            Name = name,
            Target = target,
            Elapsed = clock.Elapsed,
            ServiceNowRequests = after["serviceNow"]!.GetValue<int>(),
            ResourceManagerReads = counts.Values.Sum() - puts - deletes,
            ResourceManagerWrites = puts + deletes,
            ResourceManagerThrottled = throttled,
            TableOperations = tableOperations,
            PeakWorkingSetBytes = peak,
            StartWorkingSetBytes = baseline,
            SimulatorsWorkingSetBytes = simulators,
            Completed = problem.Length == 0,
            Notes = problem,
            Floor = bucket ? FloorFor(puts, deletes, throttled) : null,
        };
        Progress($"  {result.Elapsed.TotalSeconds:0.00} s, ServiceNow {result.ServiceNowRequests}, Resource Manager {result.ResourceManagerReads} reads + {result.ResourceManagerWrites} writes ({throttled} refused), tables {tableOperations}{(problem.Length > 0 ? ", NOT COMPLETED: " + problem : string.Empty)}");
        return result;
    }

    /// <summary>
    /// Refused requests are counted per operation too; which bucket refused them is not, so the floor takes them off
    /// the larger of the two kinds, which can only make the floor lower (the ratio stricter).
    /// </summary>
    private TimeSpan FloorFor(int puts, int deletes, int throttled)
    {
        if (puts >= deletes)
        {
            puts -= throttled;
        }
        else
        {
            deletes -= throttled;
        }

        var beyond = Math.Max(Math.Max(0, puts - _options.BucketCapacity), Math.Max(0, deletes - _options.BucketCapacity));
        return TimeSpan.FromSeconds(beyond / _bucketRefill);
    }

    private async Task<JsonNode> SyncAsync(string integrationId, bool full, CancellationToken cancellationToken)
    {
        var sync = _app.Function<SyncFunctions>();
        var (status, started) = await BenchmarkApp.CallAsync("POST", "/api/sync", new { integrationId, full }, r => sync.Run(r, cancellationToken)).ConfigureAwait(false);
        if (status != 202)
        {
            throw new InvalidOperationException($"RunSync answered {status} {started?.ToJsonString()}");
        }

        await _app.DrainAsync(WorkQueue.SyncIntegrations, m => sync.SyncIntegration(m, cancellationToken), cancellationToken).ConfigureAwait(false);
        var runId = started!["runId"]!.GetValue<string>();
        var (_, run) = await BenchmarkApp.CallAsync("GET", $"/api/sync/runs/{runId}", null, r => sync.Get(r, runId, cancellationToken)).ConfigureAwait(false);
        return run!;
    }

    private static void CheckOrThrow(JsonNode run)
    {
        var part = run["integrations"]![0]!;
        if (part["status"]!.GetValue<string>() != "succeeded" || part["errors"]!.AsArray().Count > 0)
        {
            throw new InvalidOperationException($"The catch-up sync did not succeed: {part.ToJsonString()}");
        }
    }

    private static string CheckSync(JsonNode run, int examined)
    {
        var part = run["integrations"]![0]!;
        var status = part["status"]!.GetValue<string>();
        var seen = part["ticketsExamined"]!.GetValue<int>();
        var errors = part["errors"]!.AsArray().Count;
        return status == "succeeded" && seen == examined && errors == 0
            ? string.Empty
            : $"sync {status}, {seen} tickets examined (expected {examined}), {errors} errors";
    }

    private async Task<string> CreateIntegrationAsync(string name, CancellationToken cancellationToken)
    {
        var functions = _app.Function<IntegrationFunctions>();
        var body = new Dictionary<string, object?>
        {
            ["name"] = $"{name}-{Guid.NewGuid():N}"[..24],
            ["scope"] = new Dictionary<string, object?> { ["type"] = "subscription", ["id"] = SubscriptionScope },
            ["instanceUrl"] = _sims.ServiceNow.AbsoluteUri,
            ["username"] = ServiceUser,
            ["password"] = _password,
            ["clientId"] = ClientId,
            ["clientSecret"] = _clientSecret,
            ["fieldMode"] = "default",
        };
        var (status, created) = await BenchmarkApp.CallAsync("POST", "/api/integrations", body, r => functions.Create(r, cancellationToken)).ConfigureAwait(false);
        return status == 201
            ? created!["id"]!.GetValue<string>()
            : throw new InvalidOperationException($"CreateIntegration answered {status} {created?.ToJsonString()}");
    }

    /// <summary>The seeded tickets are not changes: the integration's cursors start after them, as after a caught-up run.</summary>
    private async Task StartCursorsNowAsync(string integrationId, CancellationToken cancellationToken)
    {
        // ServiceNow's sys_updated_on has whole seconds: the cursor must be in a second after the last seeded ticket's.
        var now = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromMilliseconds(1100 - now.Millisecond), cancellationToken).ConfigureAwait(false);
        var since = ServiceNowChangeCursor.Since(DateTimeOffset.UtcNow);
        await _app.Get<ISyncStateStore>().UpdateAsync(
            integrationId,
            s => s with { Cursors = ServiceNowTicketTables.All.ToDictionary(t => t.Name, _ => since) },
            cancellationToken).ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> TicketCountAsync(CancellationToken cancellationToken) =>
        (await _sims.SendAsync(new JsonObject { ["op"] = "ticketCount" }, cancellationToken).ConfigureAwait(false))["count"]!.GetValue<int>();

    private async Task LatencyAsync(TimeSpan latency, CancellationToken cancellationToken) =>
        await _sims.SendAsync(new JsonObject { ["op"] = "latency", ["milliseconds"] = latency.TotalMilliseconds }, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// On: the write and delete buckets get the options' size and refill, and start full, so each scenario's floor
    /// counts its own writes only. Off: every bucket so large that nothing is refused (reads are never limited here).
    /// </summary>
    /// <param name="on">Whether the buckets are on.</param>
    /// <param name="refillPerSecond">Their refill rate when on; the options' sync and create rate by default.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    private async Task BucketsAsync(bool on, CancellationToken cancellationToken, double? refillPerSecond = null)
    {
        _bucketRefill = refillPerSecond ?? _options.BucketRefillPerSecond;
        await _sims.SendAsync(
            on ? new JsonObject { ["op"] = "buckets", ["capacity"] = _options.BucketCapacity, ["refillPerSecond"] = _bucketRefill } : new JsonObject { ["op"] = "buckets" },
            cancellationToken).ConfigureAwait(false);
    }

    private static string Ratio(ScenarioResult naive, ScenarioResult ours) =>
        ours.Elapsed > TimeSpan.Zero ? $"{naive.Elapsed / ours.Elapsed:0.#}×" : "n/a";

    private void Progress(string line) => _progress.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");
}
