using System.Collections.Concurrent;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Storage;

/// <summary>
/// Hands out the app's <see cref="TableClient"/>s, creating each table once per process on first use,
/// so a fresh storage account (or Azurite) needs no separate provisioning step.
/// </summary>
public sealed class TableClientProvider
{
    private readonly TableServiceClient _service;
    private readonly string _prefix;
    private readonly ConcurrentDictionary<Table, Lazy<Task<TableClient>>> _tables = new();

    public TableClientProvider(TableServiceClient service, IOptions<TableStorageOptions> options)
    {
        _service = service;
        _prefix = options.Value.TablePrefix;
    }

    public Task<TableClient> GetAsync(Table table, CancellationToken cancellationToken)
    {
        var lazy = _tables.GetOrAdd(table, t => new Lazy<Task<TableClient>>(() => CreateAsync(t)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            // A failed creation (storage briefly down) must not poison the process: try again next time.
            _tables.TryRemove(new KeyValuePair<Table, Lazy<Task<TableClient>>>(table, lazy));
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <summary>The service client, for account-level calls such as the health probe.</summary>
    internal TableServiceClient Service => _service;

    private async Task<TableClient> CreateAsync(Table table)
    {
        var client = _service.GetTableClient(TableNames.Resolve(table, _prefix));
        // Not cancellable on purpose: several callers share this one creation.
        await client.CreateIfNotExistsAsync(CancellationToken.None).ConfigureAwait(false);
        return client;
    }
}
