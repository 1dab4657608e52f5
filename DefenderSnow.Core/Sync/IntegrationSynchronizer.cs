using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// Syncs one integration for one run (one <c>sync-integrations</c> message). Incremental by default: per ticket
/// table, only our tickets changed since the integration's cursor, page by page; the cursor moves only past
/// changes that were applied. A full pass reads every live assignment's ticket by sys_id and also closes the
/// assignments of deleted tickets. Safe to run again for the same message.
/// </summary>
public sealed partial class IntegrationSynchronizer
{
    private readonly IIntegrationStore _integrations;
    private readonly SyncLease _lease;
    private readonly ISyncRunStore _runs;
    private readonly IServiceNowClientFactory _clients;
    private readonly IncrementalPass _incrementalPass;
    private readonly FullPass _fullPass;
    private readonly FindingsPass _findingsPass;
    private readonly UpstreamRequestMeter _meter;
    private readonly DefenderSnowTelemetry _telemetry;
    private readonly IOptions<SyncOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<IntegrationSynchronizer> _logger;

    public IntegrationSynchronizer(
        IIntegrationStore integrations,
        SyncLease lease,
        ISyncRunStore runs,
        IServiceNowClientFactory clients,
        IncrementalPass incrementalPass,
        FullPass fullPass,
        FindingsPass findingsPass,
        UpstreamRequestMeter meter,
        DefenderSnowTelemetry telemetry,
        IOptions<SyncOptions> options,
        TimeProvider timeProvider,
        ILogger<IntegrationSynchronizer> logger)
    {
        _telemetry = telemetry;
        _integrations = integrations;
        _lease = lease;
        _runs = runs;
        _clients = clients;
        _incrementalPass = incrementalPass;
        _fullPass = fullPass;
        _findingsPass = findingsPass;
        _meter = meter;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <param name="message">The queue message.</param>
    /// <param name="dequeueCount">How often the queue has delivered it, this time included.</param>
    /// <param name="cancellationToken">The host's shutdown.</param>
    public async Task HandleAsync(SyncMessage message, long dequeueCount, CancellationToken cancellationToken)
    {
        var row = await _runs.GetIntegrationAsync(message.RunId, message.IntegrationId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            LogNoRow(_logger, message.IntegrationId, message.RunId);
            return;
        }

        if (row.IsFinished)
        {
            // Redelivered after it finished (a crash between the last write and the message's deletion).
            return;
        }

        try
        {
            await SyncAsync(message, row, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (dequeueCount >= _options.Value.SyncMaxDequeueCount && e is not OperationCanceledException)
        {
            // The host moves the message to the poison queue after this attempt: the run must say so.
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
            await _lease.ReleaseAsync(message.IntegrationId, message.RunId, fullPassAt: null, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task SyncAsync(SyncMessage message, IntegrationSyncResult row, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var integration = await _integrations.GetAsync(message.IntegrationId, cancellationToken).ConfigureAwait(false);
        if (integration is null || integration.Value.DeletionStartedAt is not null)
        {
            await FinishAsync(message.RunId, row, IntegrationSyncStatus.Skipped, "The integration was deleted.", cancellationToken).ConfigureAwait(false);
            return;
        }

        // The run may have been requested long ago (an outage before delivery), or be a redelivery racing a newer run:
        // only the one whose conditional write wins touches the integration.
        var lease = await _lease.AcquireAsync(message.IntegrationId, message.RunId, cancellationToken).ConfigureAwait(false);
        if (!lease.Acquired)
        {
            await FinishAsync(message.RunId, row, IntegrationSyncStatus.Skipped, $"Run '{lease.HeldBy}' was syncing it.", cancellationToken).ConfigureAwait(false);
            return;
        }

        var state = lease.State;
        var started = row with { Status = IntegrationSyncStatus.Running, StartedAt = row.StartedAt ?? now, Full = message.Full };
        await _runs.SaveIntegrationAsync(message.RunId, started, cancellationToken).ConfigureAwait(false);

        // One span per integration and run; its id is low-cardinality enough for a trace attribute, never a metric dimension.
        using var activity = _telemetry.StartActivity("SyncIntegration");
        activity?.SetTag("defendersnow.run.id", message.RunId);
        activity?.SetTag("defendersnow.integration.id", message.IntegrationId);
        activity?.SetTag("defendersnow.sync.full", message.Full);
        var requests = _meter.Begin();
        var tally = new SyncTally(message.IntegrationId);
        IntegrationSyncStatus status;
        string? note = null;
        var lostHold = false;
        var keeper = _lease.KeepAlive(message.IntegrationId, message.RunId, cancellationToken);
        await using (keeper.ConfigureAwait(false))
        {
            try
            {
                (status, note) = await PassesAsync(message, integration.Value, state, now, tally, keeper.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (keeper.Lost)
            {
                status = IntegrationSyncStatus.Skipped;
            }

            lostHold = keeper.Lost;
        }

        if (lostHold)
        {
            // Another run took the hold mid-pass: it owns the integration, its status and its release now.
            var lost = tally.ToResult(started, IntegrationSyncStatus.Skipped, "Lost the hold to another run mid-pass.", _timeProvider.GetUtcNow(), requests);
            await _runs.SaveIntegrationAsync(message.RunId, lost, cancellationToken).ConfigureAwait(false);
            return;
        }

        await SetIntegrationStatusAsync(message.IntegrationId, status, note, cancellationToken).ConfigureAwait(false);
        await _lease.ReleaseAsync(message.IntegrationId, message.RunId, message.Full && status == IntegrationSyncStatus.Succeeded ? _timeProvider.GetUtcNow() : null, cancellationToken).ConfigureAwait(false);
        var finished = tally.ToResult(started, status, note, _timeProvider.GetUtcNow(), requests);
        activity?.SetTag("defendersnow.sync.status", status.ToString());
        _telemetry.SyncCompleted(_timeProvider.GetUtcNow() - now, message.Full, status.ToString());
        await _runs.SaveIntegrationAsync(message.RunId, finished, cancellationToken).ConfigureAwait(false);
        LogFinished(_logger, message.IntegrationId, message.RunId, status, finished.TicketsExamined, finished.OwnersChanged, finished.TicketStatesUpdated, finished.Errors.Count, finished.ServiceNowRequests, finished.ResourceManagerRequests);
    }

    /// <summary>The ticket pass, then closing on the fix and the rules; what ServiceNow said about the connection is the outcome.</summary>
    private async Task<(IntegrationSyncStatus Status, string? Note)> PassesAsync(SyncMessage message, Integration integration, SyncState state, DateTimeOffset now, SyncTally tally, CancellationToken cancellationToken)
    {
        try
        {
            var client = _clients.Create(integration.ToConnection());
            if (message.Full)
            {
                await _fullPass.RunAsync(client, message.IntegrationId, tally, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _incrementalPass.RunAsync(client, integration, tally, cancellationToken).ConfigureAwait(false);
            }

            await _findingsPass.RunAsync(message, integration, client, state, now, tally, cancellationToken).ConfigureAwait(false);
            return (IntegrationSyncStatus.Succeeded, null);
        }
        catch (ServiceNowRejectedException e)
        {
            return (IntegrationSyncStatus.CredentialsRejected, e.Message);
        }
        catch (ServiceNowUnreachableException e)
        {
            return (IntegrationSyncStatus.Unreachable, e.Message);
        }
        catch (ValidationException e)
        {
            // The instance URL is no longer allowed by ServiceNow:AllowedHosts.
            return (IntegrationSyncStatus.Failed, e.Message);
        }
    }


    private async Task SetIntegrationStatusAsync(string integrationId, IntegrationSyncStatus outcome, string? note, CancellationToken cancellationToken)
    {
        // Only what ServiceNow said about the connection changes the integration's status.
        IntegrationStatus status;
        switch (outcome)
        {
            case IntegrationSyncStatus.Succeeded:
                status = IntegrationStatus.Connected;
                note = null;
                break;
            case IntegrationSyncStatus.CredentialsRejected:
                status = IntegrationStatus.CredentialsRejected;
                break;
            case IntegrationSyncStatus.Unreachable:
                status = IntegrationStatus.Unreachable;
                break;
            default:
                return;
        }

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var current = await _integrations.GetAsync(integrationId, cancellationToken).ConfigureAwait(false);
            if (current is null || current.Value.DeletionStartedAt is not null)
            {
                return;
            }

            var now = _timeProvider.GetUtcNow();
            try
            {
                await _integrations.UpdateAsync(
                    current with
                    {
                        Value = current.Value with
                        {
                            Status = status,
                            StatusDetail = note,
                            LastSyncAt = outcome == IntegrationSyncStatus.Succeeded ? now : current.Value.LastSyncAt,
                        },
                    },
                    current.Value.Name,
                    cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ConcurrencyException)
            {
            }
        }
    }

    private Task FinishAsync(string runId, IntegrationSyncResult row, IntegrationSyncStatus status, string note, CancellationToken cancellationToken) =>
        _runs.SaveIntegrationAsync(runId, row with { Status = status, Note = note, FinishedAt = _timeProvider.GetUtcNow() }, cancellationToken);

    /// <summary>Domain messages are written for callers and carry no secret; anything else is named by its type only.</summary>
    private static string ErrorText(Exception e) => e is DomainException ? e.Message : e.GetType().Name;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync message for integration {IntegrationId} names run {RunId}, which has no row for it; ignored")]
    private static partial void LogNoRow(ILogger logger, string integrationId, string runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sync of integration {IntegrationId} in run {RunId} failed on its last delivery ({DequeueCount})")]
    private static partial void LogLastDeliveryFailed(ILogger logger, Exception exception, string integrationId, string runId, long dequeueCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sync of integration {IntegrationId} in run {RunId} {Status}: {TicketsExamined} tickets examined, {OwnersChanged} owners changed, {StatesUpdated} states updated, {ErrorCount} errors, {ServiceNowRequests} ServiceNow and {ResourceManagerRequests} Resource Manager requests")]
    private static partial void LogFinished(ILogger logger, string integrationId, string runId, IntegrationSyncStatus status, int ticketsExamined, int ownersChanged, int statesUpdated, int errorCount, int serviceNowRequests, int resourceManagerRequests);
}
