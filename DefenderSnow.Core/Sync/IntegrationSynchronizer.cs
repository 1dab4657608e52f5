using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// Syncs one integration for one run (one <c>sync-integrations</c> message). Incremental by default: per ticket
/// table, only our tickets changed since the integration's cursor, page by page; the cursor moves only past
/// changes that were applied. A full pass reads every live assignment's ticket by sys_id and also closes the
/// assignments of deleted tickets. Safe to run again for the same message.
/// </summary>
public sealed class IntegrationSynchronizer
{
    private readonly IIntegrationStore _integrations;
    private readonly SyncLease _lease;
    private readonly IServiceNowClientFactory _clients;
    private readonly IncrementalPass _incrementalPass;
    private readonly FullPass _fullPass;
    private readonly FindingsPass _findingsPass;
    private readonly SyncRunRecorder _recorder;
    private readonly TimeProvider _timeProvider;

    public IntegrationSynchronizer(
        IIntegrationStore integrations,
        SyncLease lease,
        IServiceNowClientFactory clients,
        IncrementalPass incrementalPass,
        FullPass fullPass,
        FindingsPass findingsPass,
        SyncRunRecorder recorder,
        TimeProvider timeProvider)
    {
        _integrations = integrations;
        _lease = lease;
        _clients = clients;
        _incrementalPass = incrementalPass;
        _fullPass = fullPass;
        _findingsPass = findingsPass;
        _recorder = recorder;
        _timeProvider = timeProvider;
    }

    /// <param name="message">The queue message.</param>
    /// <param name="dequeueCount">How often the queue has delivered it, this time included.</param>
    /// <param name="cancellationToken">The host's shutdown.</param>
    public async Task HandleAsync(SyncMessage message, long dequeueCount, CancellationToken cancellationToken)
    {
        var row = await _recorder.FindAsync(message, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
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
        catch (Exception e) when (_recorder.IsLastDelivery(dequeueCount) && e is not OperationCanceledException)
        {
            // The host moves the message to the poison queue after this attempt: the run must say so.
            await _recorder.LastDeliveryFailedAsync(message, row, dequeueCount, e).ConfigureAwait(false);
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
            await _recorder.SkippedAsync(message.RunId, row, "The integration was deleted.", cancellationToken).ConfigureAwait(false);
            return;
        }

        // The run may have been requested long ago (an outage before delivery), or be a redelivery racing a newer run:
        // only the one whose conditional write wins touches the integration.
        var lease = await _lease.AcquireAsync(message.IntegrationId, message.RunId, cancellationToken).ConfigureAwait(false);
        if (!lease.Acquired)
        {
            await _recorder.SkippedAsync(message.RunId, row, $"Run '{lease.HeldBy}' was syncing it.", cancellationToken).ConfigureAwait(false);
            return;
        }

        var started = await _recorder.StartedAsync(message, row, now, cancellationToken).ConfigureAwait(false);
        using var recording = _recorder.Measure(message, started, now);
        var tally = new SyncTally(message.IntegrationId) { RunId = message.RunId };
        IntegrationSyncStatus status;
        string? note = null;
        Integration? refreshed = null;
        ServiceNowQueryDates? queryDates = null;
        var lostHold = false;
        var keeper = _lease.KeepAlive(message.IntegrationId, message.RunId, cancellationToken);
        await using (keeper.ConfigureAwait(false))
        {
            try
            {
                (status, note, refreshed, queryDates) = await PassesAsync(message, integration.Value, lease.State, now, tally, keeper.Token).ConfigureAwait(false);
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
            await _recorder.LostHoldAsync(recording, tally, cancellationToken).ConfigureAwait(false);
            return;
        }

        await SetIntegrationStatusAsync(message.IntegrationId, status, note, refreshed, queryDates, tally, cancellationToken).ConfigureAwait(false);
        await _lease.ReleaseAsync(message.IntegrationId, message.RunId, message.Full && status == IntegrationSyncStatus.Succeeded ? _timeProvider.GetUtcNow() : null, cancellationToken).ConfigureAwait(false);
        await _recorder.FinishedAsync(recording, tally, status, note, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The ticket pass, then closing on the fix and the rules; what ServiceNow said about the connection is the outcome.
    /// A full pass first measures again how the instance reads query dates (an administrator may have changed the user's
    /// zone or the system's since verification), then reads the instance's choices and fields again; the integration with
    /// its refreshed mappings, and the dates measured (only when the pass succeeded), are returned to be stored with the status.
    /// </summary>
    private async Task<(IntegrationSyncStatus Status, string? Note, Integration? Refreshed, ServiceNowQueryDates? QueryDates)> PassesAsync(
        SyncMessage message, Integration integration, SyncState state, DateTimeOffset now, SyncTally tally, CancellationToken cancellationToken)
    {
        Integration? refreshed = null;
        try
        {
            var client = _clients.Create(integration.ToConnection());
            ServiceNowQueryDates? queryDates = null;
            if (message.Full)
            {
                queryDates = await client.MeasureQueryDatesAsync(now, cancellationToken).ConfigureAwait(false);
                refreshed = await _fullPass.RefreshInstanceAsync(client, integration, cancellationToken).ConfigureAwait(false);
                integration = refreshed;
                client = _clients.Create(integration.ToConnection());
                await _fullPass.RunAsync(client, message.IntegrationId, tally, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _incrementalPass.RunAsync(client, integration, tally, cancellationToken).ConfigureAwait(false);
            }

            await _findingsPass.RunAsync(message, integration, client, state, now, tally, cancellationToken).ConfigureAwait(false);
            return (IntegrationSyncStatus.Succeeded, null, refreshed, queryDates);
        }
        catch (ServiceNowRejectedException e)
        {
            return (IntegrationSyncStatus.CredentialsRejected, e.Message, refreshed, null);
        }
        catch (ServiceNowUnreachableException e)
        {
            return (IntegrationSyncStatus.Unreachable, e.Message, refreshed, null);
        }
        catch (Secrets.InstanceBindingException e)
        {
            // The row names another instance than the credentials were proven against: nothing was sent, and the
            // integration says why until a person restores it.
            return (IntegrationSyncStatus.CredentialsRejected, e.Message, refreshed, null);
        }
        catch (ValidationException e)
        {
            // The instance URL is no longer allowed by ServiceNow:AllowedHosts.
            return (IntegrationSyncStatus.Failed, e.Message, refreshed, null);
        }
    }

    /// <param name="refreshed">The integration as a full pass read its instance again: its mappings, warnings and read time are stored with the status.</param>
    /// <param name="queryDates">How a successful full pass measured the instance to read query dates.</param>
    private async Task SetIntegrationStatusAsync(
        string integrationId, IntegrationSyncStatus outcome, string? note, Integration? refreshed, ServiceNowQueryDates? queryDates, SyncTally tally, CancellationToken cancellationToken)
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
                            NeedsAttention = Settle(current.Value.NeedsAttention, tally),
                            TicketTypes = refreshed?.TicketTypes ?? current.Value.TicketTypes,
                            Warnings = refreshed?.Warnings ?? current.Value.Warnings,
                            InstanceReadAt = refreshed?.InstanceReadAt ?? current.Value.InstanceReadAt,
                            ServiceNowQueryDates = queryDates ?? current.Value.ServiceNowQueryDates,
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

    /// <summary>
    /// The integration's marks after this run: a guard that ran to the end settles its cause (kept, with its first
    /// <c>Since</c>, when it held again; dropped when it did not); a cause whose guard did not run stays as it was.
    /// </summary>
    private static List<IntegrationAttention> Settle(IReadOnlyList<IntegrationAttention> marks, SyncTally tally)
    {
        var settled = marks.Where(m => !tally.GuardsRun.Contains(m.Cause) && tally.Attention.All(a => a.Cause != m.Cause)).ToList();
        foreach (var raised in tally.Attention)
        {
            var since = marks.FirstOrDefault(m => m.Cause == raised.Cause)?.Since ?? raised.Since;
            settled.Add(raised with { Since = since });
        }

        return settled;
    }
}
