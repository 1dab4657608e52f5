using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;
using DefenderSnow.Benchmark;

namespace DefenderSnow.Tests.Benchmark;

/// <summary>
/// The benchmark runs Azurite with its table index (<c>azurite-table-index.js</c>) so that 100,000 assignments fit in
/// the time; these tests run the same table operations against stock Azurite and the indexed one and require the
/// same answers: rows, pages and continuations, status codes, and what a failed batch leaves behind.
/// </summary>
[TestFixture]
public sealed class IndexedAzuriteTests
{
    private AzuriteProcess _stock = null!;
    private AzuriteProcess _indexed = null!;

    [OneTimeSetUp]
    public async Task StartBoth()
    {
        _stock = await AzuriteProcess.StartAsync(indexedTables: false);
        _indexed = await AzuriteProcess.StartAsync(indexedTables: true);
    }

    [OneTimeTearDown]
    public void StopBoth()
    {
        _stock?.Dispose();
        _indexed?.Dispose();
    }

    [Test]
    public async Task Queries_page_and_filter_as_stock_Azurite_does()
    {
        var (stock, indexed) = (await SeedAsync(_stock), await SeedAsync(_indexed));
        string[] filters =
        [
            "PartitionKey eq 'b'",
            "PartitionKey eq 'b' and Kind eq 'even'",
            "PartitionKey eq 'b' and RowKey ge 'r050' and RowKey lt 'r100'",
            "PartitionKey eq 'zz'",
            "PartitionKey eq 'a' or PartitionKey eq 'c'",
            "PartitionKey eq 'it''s' and Kind eq 'odd'",
            "Kind eq 'odd'",
            "RowKey gt 'r140'",
            "not (PartitionKey eq 'b')",
            "PartitionKey ge 'b'",
        ];
        foreach (var filter in filters)
        {
            foreach (var pageSize in new[] { 1, 7, 1000 })
            {
                Assert.That(await PagesAsync(indexed, filter, pageSize), Is.EqualTo(await PagesAsync(stock, filter, pageSize)), $"{filter}, pages of {pageSize}");
            }
        }

        Assert.That(await PagesAsync(indexed, null, 13), Is.EqualTo(await PagesAsync(stock, null, 13)), "no filter");
    }

    [Test]
    public async Task Point_operations_and_batches_answer_as_stock_Azurite_does()
    {
        var (stock, indexed) = (await SeedAsync(_stock), await SeedAsync(_indexed));
        Assert.That(await ScriptAsync(indexed), Is.EqualTo(await ScriptAsync(stock)));
        Assert.That(await PagesAsync(indexed, null, 50), Is.EqualTo(await PagesAsync(stock, null, 50)), "rows after the script");
    }

    /// <summary>Every kind of write and point read, each answer written down as text.</summary>
    private static async Task<List<string>> ScriptAsync(TableClient table)
    {
        var log = new List<string>();
        async Task Step(string name, Func<Task<string>> action)
        {
            try
            {
                log.Add($"{name}: {await action()}");
            }
            catch (RequestFailedException e)
            {
                log.Add($"{name}: {e.Status} {e.ErrorCode}");
            }
        }

        await Step("get", async () => Describe((await table.GetEntityAsync<TableEntity>("b", "r010")).Value));
        await Step("get missing", async () => Describe((await table.GetEntityAsync<TableEntity>("b", "nope")).Value));
        await Step("insert twice", async () => (await table.AddEntityAsync(Row("b", "r010", 1))).Status.ToString(CultureInfo.InvariantCulture));
        var current = (await table.GetEntityAsync<TableEntity>("b", "r020")).Value;
        await Step("replace, stale etag", async () => (await table.UpdateEntityAsync(Row("b", "r020", 7), new ETag("W/\"datetime'2000-01-01T00%3A00%3A00Z'\""), TableUpdateMode.Replace)).Status.ToString(CultureInfo.InvariantCulture));
        await Step("replace", async () => (await table.UpdateEntityAsync(Row("b", "r020", 7), current.ETag, TableUpdateMode.Replace)).Status.ToString(CultureInfo.InvariantCulture));
        await Step("merge", async () => (await table.UpdateEntityAsync(new TableEntity("b", "r030") { ["Extra"] = "x" }, ETag.All, TableUpdateMode.Merge)).Status.ToString(CultureInfo.InvariantCulture));
        await Step("upsert new", async () => (await table.UpsertEntityAsync(Row("b", "r0305", 5))).Status.ToString(CultureInfo.InvariantCulture));
        await Step("upsert existing", async () => (await table.UpsertEntityAsync(Row("b", "r040", 8), TableUpdateMode.Merge)).Status.ToString(CultureInfo.InvariantCulture));
        await Step("delete, stale etag", async () => (await table.DeleteEntityAsync("b", "r050", new ETag("W/\"datetime'2000-01-01T00%3A00%3A00Z'\""))).Status.ToString(CultureInfo.InvariantCulture));
        await Step("delete", async () => (await table.DeleteEntityAsync("b", "r050")).Status.ToString(CultureInfo.InvariantCulture));
        await Step("get deleted", async () => Describe((await table.GetEntityAsync<TableEntity>("b", "r050")).Value));
        await Step("insert after delete", async () => (await table.AddEntityAsync(Row("b", "r050", 9))).Status.ToString(CultureInfo.InvariantCulture));
        await Step("batch", async () => (await table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.Add, Row("c", "new1", 1)),
            new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity("c", "r001") { ["Extra"] = "batch" }),
            new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity("c", "r002")),
        ])).Value.Count.ToString(CultureInfo.InvariantCulture));

        // A failing batch must leave nothing: the add and the delete before the duplicate insert are rolled back.
        await Step("failed batch", async () => (await table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.Add, Row("c", "new2", 2)),
            new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity("c", "r003")),
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, Row("c", "r004", 44)),
            new TableTransactionAction(TableTransactionActionType.Add, Row("c", "r005", 5)),
        ])).Value.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var rowKey in new[] { "new1", "new2", "r001", "r002", "r003", "r004", "r005" })
        {
            await Step($"after batches {rowKey}", async () => Describe((await table.GetEntityAsync<TableEntity>("c", rowKey)).Value));
        }

        return log;
    }

    private static async Task<TableClient> SeedAsync(AzuriteProcess azurite)
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient($"t{Guid.NewGuid():N}");
        await table.CreateAsync();

        // Several partitions (one with a quote in its key), rows inserted out of key order and in two kinds.
        foreach (var partition in new[] { "b", "a", "it's", "c", "bb" })
        {
            var rows = Enumerable.Range(0, 150).Select(i => Row(partition, $"r{(i * 37) % 150:D3}", i)).ToList();
            foreach (var chunk in rows.Chunk(100))
            {
                await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)));
            }
        }

        return table;
    }

    private static TableEntity Row(string partition, string rowKey, int number) =>
        new(partition, rowKey) { ["Kind"] = number % 2 == 0 ? "even" : "odd", ["Number"] = number };

    /// <summary>Every page's rows (keys and properties, without the server's timestamps) and whether a continuation followed.</summary>
    private static async Task<List<string>> PagesAsync(TableClient table, string? filter, int pageSize)
    {
        var pages = new List<string>();
        await foreach (var page in table.QueryAsync<TableEntity>(filter, pageSize).AsPages())
        {
            pages.Add(string.Join(" | ", page.Values.Select(Describe)) + (page.ContinuationToken is null ? " (last)" : " (more)"));
        }

        return pages;
    }

    private static string Describe(TableEntity row)
    {
        var text = new StringBuilder($"{row.PartitionKey}/{row.RowKey}");
        foreach (var key in row.Keys.Where(k => k is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")).Order(StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $" {key}={row[key]}");
        }

        return text.ToString();
    }
}
