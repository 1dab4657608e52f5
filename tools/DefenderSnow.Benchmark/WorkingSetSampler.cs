using System.Diagnostics;

namespace DefenderSnow.Benchmark;

/// <summary>
/// The highest working set of this process while a scenario runs, sampled every 20 ms (the process's own peak
/// counter cannot be reset between scenarios).
/// </summary>
public sealed class WorkingSetSampler : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peak;

    private WorkingSetSampler()
    {
        _peak = Sample();
        _sampling = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(Interval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    Observe();
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public long Peak
    {
        get
        {
            Observe();
            return Interlocked.Read(ref _peak);
        }
    }

    public static WorkingSetSampler Start() => new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sampling.ConfigureAwait(false);
        _stop.Dispose();
    }

    private void Observe()
    {
        var now = Sample();
        long seen;
        while (now > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
        {
        }
    }

    private static long Sample()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
