using DefenderSnow.Benchmark;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.Sync;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// A page of runs costs two Table Storage reads, the runs and then all their integration rows, however many runs it
/// holds and over however many day partitions; each run gets exactly its own rows.
/// </summary>
[TestFixture]
public sealed class SyncRunListingTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 22, 0, 0, TimeSpan.Zero);
    private readonly TableOperationCounter _tableOperations = new();
    private TestApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() =>
        _app = await TestApp.StartAsync(overrides: services => services.AddSingleton(new TableStoragePipelinePolicy(_tableOperations)));

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    public void Dispose() => _tableOperations.Dispose();

    [Test]
    public async Task A_page_of_runs_over_several_days_reads_its_integration_rows_in_one_query()
    {
        var store = _app.Get<ISyncRunStore>();
        // Seven runs, five hours apart: four day partitions, so a page of three both starts and ends inside one.
        var recorded = new List<SyncRun>();
        for (var i = 0; i < 7; i++)
        {
            var startedAt = Start.AddHours(5 * i);
            var run = new SyncRun
            {
                RunId = SyncRunId.New(startedAt),
                Trigger = SyncTrigger.Manual,
                Full = false,
                StartedAt = startedAt,
                Integrations = Enumerable.Range(0, 1 + (i % 3)).Select(n => new IntegrationSyncResult { IntegrationId = $"integration-{i}-{n}" }).ToList(),
            };
            await store.AddAsync(run, CancellationToken.None);
            recorded.Add(run);
        }

        var newestFirst = recorded.OrderByDescending(r => r.StartedAt).ToList();
        var listed = new List<SyncRun>();
        var pages = 0;
        string? token = null;
        _tableOperations.Reset();
        do
        {
            var page = await store.ListAsync(3, token, CancellationToken.None);
            listed.AddRange(page.Items);
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.Multiple(() =>
        {
            Assert.That(listed.Select(r => r.RunId), Is.EqualTo(newestFirst.Select(r => r.RunId)));
            foreach (var (run, expected) in listed.Zip(newestFirst))
            {
                Assert.That(run.Integrations.Select(i => i.IntegrationId), Is.EqualTo(expected.Integrations.Select(i => i.IntegrationId)), run.RunId);
            }

            // Per page: the runs, then their rows.
            Assert.That(_tableOperations.Count, Is.EqualTo(2 * pages), $"{pages} pages");
        });
    }
}
