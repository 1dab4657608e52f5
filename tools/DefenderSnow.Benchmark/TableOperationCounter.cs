using Azure.Core;
using Azure.Core.Pipeline;

namespace DefenderSnow.Benchmark;

/// <summary>
/// Sits in the app's Table Storage pipeline (per try): counts every request it sends (a batch transaction is one
/// operation), and sends batch transactions one at a time. Azurite keeps one rollback list for its whole store and
/// answers 500 "Transaction Overlap!" to a batch that arrives while another runs, which the SDK retries after
/// 0.8 s and more: concurrent work on Azurite would measure its back-off, not the app. Azure serves them concurrently.
/// </summary>
public sealed class TableOperationCounter : HttpPipelinePolicy, IDisposable
{
    private readonly SemaphoreSlim _batches = new(1, 1);
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Reset() => Interlocked.Exchange(ref _count, 0);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        Interlocked.Increment(ref _count);
        if (!IsBatch(message))
        {
            ProcessNext(message, pipeline);
            return;
        }

        _batches.Wait(message.CancellationToken);
        try
        {
            ProcessNext(message, pipeline);
        }
        finally
        {
            _batches.Release();
        }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        Interlocked.Increment(ref _count);
        if (!IsBatch(message))
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            return;
        }

        await _batches.WaitAsync(message.CancellationToken).ConfigureAwait(false);
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        finally
        {
            _batches.Release();
        }
    }

    public void Dispose() => _batches.Dispose();

    private static bool IsBatch(HttpMessage message) => message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal);
}
