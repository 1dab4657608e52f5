using System.Collections.Concurrent;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Resource Manager throttles per subscription, with separate buckets for reads, writes and deletes. This remembers, per subscription and bucket, until when Resource Manager asked us to wait,
/// so every caller in the process slows down for a throttled subscription, and the others are unaffected.
/// </summary>
internal sealed class SubscriptionPacer
{
    private readonly ConcurrentDictionary<(string Subscription, string Bucket), DateTimeOffset> _notBefore = new();
    private readonly TimeProvider _timeProvider;

    public SubscriptionPacer(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    /// <summary>Waits until the bucket may be used again.</summary>
    public async Task WaitAsync(string subscription, string bucket, CancellationToken cancellationToken)
    {
        while (_notBefore.TryGetValue((subscription, bucket), out var until))
        {
            var wait = until - _timeProvider.GetUtcNow();
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Nothing goes to that bucket before <paramref name="pause"/> has passed (a later pause wins).</summary>
    public void Pause(string subscription, string bucket, TimeSpan pause)
    {
        var until = _timeProvider.GetUtcNow() + pause;
        _notBefore.AddOrUpdate((subscription, bucket), until, (_, current) => current > until ? current : until);
    }
}
