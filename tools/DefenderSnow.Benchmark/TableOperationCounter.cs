using Azure.Core;
using Azure.Core.Pipeline;

namespace DefenderSnow.Benchmark;

/// <summary>Counts the requests the app's Table Storage client sends (a batch transaction is one operation).</summary>
public sealed class TableOperationCounter : HttpPipelineSynchronousPolicy
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Reset() => Interlocked.Exchange(ref _count, 0);

    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
}
