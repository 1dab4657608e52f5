using System.Diagnostics;
using DefenderSnow.Core.Upstream;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// One integration's sync while it runs, as <see cref="SyncRunRecorder"/> will record it. Disposing it ends the span.
/// </summary>
/// <param name="Message">The message being handled.</param>
/// <param name="Started">The row as saved when the passes began; the finished row is this one with the tally added.</param>
/// <param name="StartedAt">When the run began to handle the message; the sync's duration is measured from here.</param>
/// <param name="Activity">The span the passes' upstream calls are children of.</param>
/// <param name="Requests">The upstream requests counted so far.</param>
internal sealed record SyncRunRecording(SyncMessage Message, IntegrationSyncResult Started, DateTimeOffset StartedAt, Activity? Activity, UpstreamRequestTally Requests) : IDisposable
{
    public void Dispose() => Activity?.Dispose();
}
