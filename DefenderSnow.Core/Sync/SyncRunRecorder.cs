using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Telemetry;
using DefenderSnow.Core.Upstream;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// Writes what one integration's sync did into its run: the run row from start to finish, the upstream requests it
/// cost, its span and duration metric, and the log line that sums it up. Kept apart from
/// <see cref="IntegrationSynchronizer"/> so the synchronizer reads as the orchestration it is.
/// </summary>
public sealed partial class SyncRunRecorder
{
    private readonly ISyncRunStore _runs;
    private readonly UpstreamRequestMeter _meter;
    private readonly DefenderSnowTelemetry _telemetry;
    private readonly IOptions<SyncOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SyncRunRecorder> _logger;

    public SyncRunRecorder(
        ISyncRunStore runs,
        UpstreamRequestMeter meter,
        DefenderSnowTelemetry telemetry,
        IOptions<SyncOptions> options,
        TimeProvider timeProvider,
        ILogger<SyncRunRecorder> logger)
    {
        _runs = runs;
        _meter = meter;
        _telemetry = telemetry;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The integration's row in the message's run; null (and logged) when the run has none for it.</summary>
    internal async Task<IntegrationSyncResult?> FindAsync(SyncMessage message, CancellationToken cancellationToken)
    {
        var row = await _runs.GetIntegrationAsync(message.RunId, message.IntegrationId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            LogNoRow(_logger, message.IntegrationId, message.RunId);
        }

        return row;
    }

    /// <summary>Whether the host moves the message to the poison queue after this attempt, so a failure must be recorded now.</summary>
    internal bool IsLastDelivery(long dequeueCount) => dequeueCount >= _options.Value.SyncMaxDequeueCount;

    /// <summary>Records that the message failed on its last delivery; it must reach the row even during shutdown.</summary>
    internal async Task LastDeliveryFailedAsync(SyncMessage message, IntegrationSyncResult row, long dequeueCount, Exception e)
    {
        LogLastDeliveryFailed(_logger, e, message.IntegrationId, message.RunId, dequeueCount);
        var current = await _runs.GetIntegrationAsync(message.RunId, message.IntegrationId, CancellationToken.None).ConfigureAwait(false) ?? row;
        await _runs.SaveIntegrationAsync(
            message.RunId,
            current with
            {
                Status = IntegrationSyncStatus.Failed,
                Note = $"Failed {dequeueCount} times; the message went to the poison queue. Last error: {ErrorText(e)}",
                FinishedAt = _timeProvider.GetUtcNow(),
            },
            CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Records a run that finished without syncing (the integration was deleted, or another run holds it).</summary>
    internal Task SkippedAsync(string runId, IntegrationSyncResult row, string note, CancellationToken cancellationToken) =>
        _runs.SaveIntegrationAsync(runId, row with { Status = IntegrationSyncStatus.Skipped, Note = note, FinishedAt = _timeProvider.GetUtcNow() }, cancellationToken);

    /// <summary>Marks the row running; the returned row is what <see cref="Measure"/> records against.</summary>
    internal async Task<IntegrationSyncResult> StartedAsync(SyncMessage message, IntegrationSyncResult row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var started = row with { Status = IntegrationSyncStatus.Running, StartedAt = row.StartedAt ?? now, Full = message.Full };
        await _runs.SaveIntegrationAsync(message.RunId, started, cancellationToken).ConfigureAwait(false);
        return started;
    }

    /// <summary>
    /// Starts the span and the request count for the passes. Synchronous on purpose: both live in the async flow
    /// (<see cref="System.Diagnostics.Activity.Current"/>, the meter's AsyncLocal), and an async method's changes to
    /// it would not reach the caller's passes.
    /// </summary>
    internal SyncRunRecording Measure(SyncMessage message, IntegrationSyncResult started, DateTimeOffset now)
    {
        // One span per integration and run; its id is low-cardinality enough for a trace attribute, never a metric dimension.
        var activity = _telemetry.StartActivity("SyncIntegration");
        activity?.SetTag("defendersnow.run.id", message.RunId);
        activity?.SetTag("defendersnow.integration.id", message.IntegrationId);
        activity?.SetTag("defendersnow.sync.full", message.Full);
        return new SyncRunRecording(message, started, now, activity, _meter.Begin());
    }

    /// <summary>Records a run whose hold another run took mid-pass; that run owns the integration's status now.</summary>
    internal Task LostHoldAsync(SyncRunRecording recording, SyncTally tally, CancellationToken cancellationToken)
    {
        var lost = tally.ToResult(recording.Started, IntegrationSyncStatus.Skipped, "Lost the hold to another run mid-pass.", _timeProvider.GetUtcNow(), recording.Requests);
        return _runs.SaveIntegrationAsync(recording.Message.RunId, lost, cancellationToken);
    }

    /// <summary>Records the finished sync: the row with its tally and requests, the span's status and the duration metric.</summary>
    internal async Task FinishedAsync(SyncRunRecording recording, SyncTally tally, IntegrationSyncStatus status, string? note, CancellationToken cancellationToken)
    {
        var message = recording.Message;
        var finished = tally.ToResult(recording.Started, status, note, _timeProvider.GetUtcNow(), recording.Requests);
        recording.Activity?.SetTag("defendersnow.sync.status", status.ToString());
        _telemetry.SyncCompleted(_timeProvider.GetUtcNow() - recording.StartedAt, message.Full, status.ToString());
        await _runs.SaveIntegrationAsync(message.RunId, finished, cancellationToken).ConfigureAwait(false);
        LogFinished(_logger, message.IntegrationId, message.RunId, status, finished.TicketsExamined, finished.OwnersChanged, finished.TicketStatesUpdated, finished.Errors.Count, finished.ServiceNowRequests, finished.ResourceManagerRequests);
    }

    /// <summary>Domain messages are written for callers and carry no secret; anything else is named by its type only.</summary>
    private static string ErrorText(Exception e) => e is DomainException ? e.Message : e.GetType().Name;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync message for integration {IntegrationId} names run {RunId}, which has no row for it; ignored")]
    private static partial void LogNoRow(ILogger logger, string integrationId, string runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sync of integration {IntegrationId} in run {RunId} failed on its last delivery ({DequeueCount})")]
    private static partial void LogLastDeliveryFailed(ILogger logger, Exception exception, string integrationId, string runId, long dequeueCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sync of integration {IntegrationId} in run {RunId} {Status}: {TicketsExamined} tickets examined, {OwnersChanged} owners changed, {StatesUpdated} states updated, {ErrorCount} errors, {ServiceNowRequests} ServiceNow and {ResourceManagerRequests} Resource Manager requests")]
    private static partial void LogFinished(ILogger logger, string integrationId, string runId, IntegrationSyncStatus status, int ticketsExamined, int ownersChanged, int statesUpdated, int errorCount, int serviceNowRequests, int resourceManagerRequests);
}
