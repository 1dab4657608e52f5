using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Findings;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Rules;
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
    /// <summary>A first incremental read starts this long before the integration was created, in case clocks differ.</summary>
    private static readonly TimeSpan FirstReadMargin = TimeSpan.FromMinutes(5);

    /// <summary>How many slices of a full pass are read and applied at once; their writes are paced per subscription anyway.</summary>
    private const int FullPassConcurrency = 8;

    /// <summary>Live assignments a full pass reads and applies as one unit (ten ServiceNow reads of 100 sys_ids).</summary>
    private const int FullPassSlice = 1000;

    /// <summary>How many changes of one page are applied at once: each is a Resource Manager write and two table operations.</summary>
    private const int IncrementalConcurrency = 8;

    /// <summary>Table Storage's largest page: a full pass reads the whole listing, so fewer round trips.</summary>
    private const int FullPassPageSize = 1000;

    private readonly IIntegrationStore _integrations;
    private readonly ISyncStateStore _states;
    private readonly SyncLease _lease;
    private readonly ISyncRunStore _runs;
    private readonly IAssignmentStore _assignments;
    private readonly IServiceNowClientFactory _clients;
    private readonly TicketChangeApplier _applier;
    private readonly RuleEvaluator _rules;
    private readonly IRuleStore _ruleStore;
    private readonly IFindingReader _findings;
    private readonly HealthyFindingCloser _healthyCloser;
    private readonly UpstreamRequestMeter _meter;
    private readonly DefenderSnowTelemetry _telemetry;
    private readonly IOptions<SyncOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<IntegrationSynchronizer> _logger;

    public IntegrationSynchronizer(
        IIntegrationStore integrations,
        ISyncStateStore states,
        SyncLease lease,
        ISyncRunStore runs,
        IAssignmentStore assignments,
        IServiceNowClientFactory clients,
        TicketChangeApplier applier,
        RuleEvaluator rules,
        IRuleStore ruleStore,
        IFindingReader findings,
        HealthyFindingCloser healthyCloser,
        UpstreamRequestMeter meter,
        DefenderSnowTelemetry telemetry,
        IOptions<SyncOptions> options,
        TimeProvider timeProvider,
        ILogger<IntegrationSynchronizer> logger)
    {
        _telemetry = telemetry;
        _integrations = integrations;
        _states = states;
        _lease = lease;
        _runs = runs;
        _assignments = assignments;
        _clients = clients;
        _applier = applier;
        _rules = rules;
        _ruleStore = ruleStore;
        _findings = findings;
        _healthyCloser = healthyCloser;
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
                await FullPassAsync(client, message.IntegrationId, tally, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await IncrementalAsync(client, integration, tally, cancellationToken).ConfigureAwait(false);
            }

            // An integration without rules costs this one table query. With rules, closing on the fix and rule evaluation
            // share one read of each subscription's findings; without, nothing needs them kept past the closing.
            var rules = await _ruleStore.ListAllAsync(message.IntegrationId, cancellationToken).ConfigureAwait(false);
            var findings = rules.Count > 0 ? new FindingsSnapshot(_findings) : _findings;

            // After the tickets: an assignment its ticket closed is not closed again for its finding.
            if (FindingsCheckDue(message, state, now)
                && await _healthyCloser.CloseFixedAsync(integration, client, findings, tally, cancellationToken).ConfigureAwait(false))
            {
                await _states.UpdateAsync(message.IntegrationId, s => s with { LastFindingsCheckAt = now }, cancellationToken).ConfigureAwait(false);
            }

            await EvaluateRulesAsync(integration, rules, findings, tally, cancellationToken).ConfigureAwait(false);

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

    private async Task IncrementalAsync(IServiceNowClient client, Integration integration, SyncTally tally, CancellationToken cancellationToken)
    {
        var state = (await _states.GetAsync(integration.Id, cancellationToken).ConfigureAwait(false)).Value;
        foreach (var table in ServiceNowTicketTables.All)
        {
            var read = state.Cursors.GetValueOrDefault(table.Name) ?? ServiceNowChangeCursor.Since(integration.CreatedAt - FirstReadMargin);
            var applied = read;
            var blocked = false;
            while (true)
            {
                var page = await client.GetChangedTicketsAsync(table.Name, read, cancellationToken).ConfigureAwait(false);
                var outcomes = await ApplyPageAsync(integration.Id, page.Items, tally, cancellationToken).ConfigureAwait(false);
                foreach (var ticket in page.Items)
                {
                    var ok = outcomes[ticket.SysId];
                    if (!blocked && ok)
                    {
                        applied = Advance(applied, ticket);
                    }

                    // Later changes are still applied (they are idempotent), but the cursor stays before the failed one.
                    blocked |= !ok;
                }

                if (!blocked)
                {
                    applied = page.Next;
                }

                if (!Equals(applied, state.Cursors.GetValueOrDefault(table.Name)))
                {
                    var saved = applied;
                    state = await _states.UpdateAsync(
                        integration.Id,
                        s => s with { Cursors = new Dictionary<string, ServiceNowChangeCursor>(s.Cursors) { [table.Name] = saved } },
                        cancellationToken).ConfigureAwait(false);
                }

                if (!page.HasMore)
                {
                    break;
                }

                read = page.Next;
            }
        }
    }

    /// <summary>
    /// Applies the changes of one page IncrementalConcurrency at a time, a ticket that changed more than once in the page
    /// only as last read (the newest). Every change is attempted even when another one throws, so none is left half-done
    /// by a cancelled sibling; the first exception is thrown afterwards, and the cursor does not move past the page.
    /// </summary>
    /// <returns>Whether each ticket (by sys_id) was applied.</returns>
    private async Task<Dictionary<string, bool>> ApplyPageAsync(string integrationId, IReadOnlyList<ServiceNowTicket> tickets, SyncTally tally, CancellationToken cancellationToken)
    {
        var newest = new Dictionary<string, ServiceNowTicket>(StringComparer.Ordinal);
        foreach (var ticket in tickets)
        {
            if (!newest.TryGetValue(ticket.SysId, out var seen) || (ticket.UpdatedOn, ticket.ModCount).CompareTo((seen.UpdatedOn, seen.ModCount)) >= 0)
            {
                newest[ticket.SysId] = ticket;
            }
        }

        var changes = newest.Values.ToArray();
        var parts = changes.Select(_ => new SyncTally(integrationId)).ToArray();
        var applied = new bool[changes.Length];
        var failures = new Exception?[changes.Length];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, changes.Length),
            new ParallelOptions { MaxDegreeOfParallelism = IncrementalConcurrency, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                try
                {
                    applied[i] = await _applier.ApplyAsync(integrationId, changes[i], parts[i], token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    failures[i] = e;
                }
            }).ConfigureAwait(false);

        foreach (var part in parts)
        {
            tally.Add(part);
        }

        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return changes.Select((ticket, i) => (ticket.SysId, Applied: applied[i])).ToDictionary(c => c.SysId, c => c.Applied, StringComparer.Ordinal);
    }

    /// <summary>The cursor just past <paramref name="ticket"/>, which is the next change in read order.</summary>
    private static ServiceNowChangeCursor Advance(ServiceNowChangeCursor cursor, ServiceNowTicket ticket)
    {
        if (ticket.UpdatedOn < cursor.UpdatedOn)
        {
            return cursor;
        }

        var seen = ticket.UpdatedOn == cursor.UpdatedOn ? new Dictionary<string, int>(cursor.SeenAtUpdatedOn) : [];
        seen[ticket.SysId] = ticket.ModCount;
        return new ServiceNowChangeCursor(ticket.UpdatedOn, seen);
    }

    private async Task FullPassAsync(IServiceNowClient client, string integrationId, SyncTally tally, CancellationToken cancellationToken)
    {
        // Slices are read and applied FullPassConcurrency at a time while the listing goes on: reading 100,000 tickets one
        // chunk after another would spend most of the pass waiting on ServiceNow, and holding the whole listing first
        // would cost memory in proportion to the estate. Parallel.ForEachAsync takes the next slice only when a worker is free.
        var gate = new Lock();
        await Parallel.ForEachAsync(
            SlicesAsync(integrationId, cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = FullPassConcurrency, CancellationToken = cancellationToken },
            async (slice, token) =>
            {
                var part = new SyncTally(integrationId);
                try
                {
                    await ReconcileAsync(client, integrationId, slice, part, token).ConfigureAwait(false);
                }
                finally
                {
                    lock (gate)
                    {
                        tally.Add(part);
                    }
                }
            }).ConfigureAwait(false);
    }

    /// <summary>
    /// The live assignments with a ticket, as slices of one table's <see cref="FullPassSlice"/>, taken from the listing as
    /// it comes. A table's remainder is carried across listing pages until its slice is full, so every ServiceNow read
    /// but the last of each table names a full chunk of sys_ids.
    /// </summary>
    private async IAsyncEnumerable<Storage.Versioned<Assignment>[]> SlicesAsync(string integrationId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filling = new Dictionary<string, List<Storage.Versioned<Assignment>>>(StringComparer.Ordinal);
        await foreach (var assignment in _assignments.ListLiveAsync(integrationId, FullPassPageSize, cancellationToken).ConfigureAwait(false))
        {
            if (assignment.Value.Ticket.SysId is null)
            {
                continue;
            }

            var table = assignment.Value.Ticket.Table;
            if (!filling.TryGetValue(table, out var slice))
            {
                filling[table] = slice = new List<Storage.Versioned<Assignment>>(FullPassSlice);
            }

            slice.Add(assignment);
            if (slice.Count == FullPassSlice)
            {
                filling.Remove(table);
                yield return [.. slice];
            }
        }

        foreach (var slice in filling.Values)
        {
            yield return [.. slice];
        }
    }

    /// <summary>Reads the tickets of one table's slice of live assignments by sys_id and applies each; a missing one was deleted.</summary>
    private async Task ReconcileAsync(IServiceNowClient client, string integrationId, Storage.Versioned<Assignment>[] slice, SyncTally tally, CancellationToken cancellationToken)
    {
        var tickets = (await client.GetTicketsAsync(slice[0].Value.Ticket.Table, slice.Select(a => a.Value.Ticket.SysId!), cancellationToken).ConfigureAwait(false))
            .ToDictionary(t => t.SysId, StringComparer.Ordinal);
        foreach (var assignment in slice)
        {
            if (tickets.TryGetValue(assignment.Value.Ticket.SysId!, out var ticket))
            {
                await _applier.ApplyAsync(integrationId, ticket, assignment, tally, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                tally.TicketsExamined++;
                await _applier.CloseDeletedAsync(assignment, tally, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// After the tickets: the automation rules open assignments for new unhealthy findings. Their failures are the run's
    /// errors, not its status, which says what ServiceNow said about the connection.
    /// </summary>
    private async Task EvaluateRulesAsync(Integration integration, IReadOnlyList<Rule> rules, IFindingReader findings, SyncTally tally, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var result in await _rules.EvaluateAllAsync(integration, rules, findings, cancellationToken).ConfigureAwait(false))
            {
                tally.RuleTicketsOpened += result.Tickets.Count;
                tally.RuleTicketsWaiting += result.Waiting;
                foreach (var error in result.Errors)
                {
                    tally.Error(null, $"Rule {result.RuleId}: {error}");
                }
            }
        }
        catch (DomainException e)
        {
            tally.Error(null, $"Rules were not evaluated: {e.Message}");
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

    /// <summary>Closing on the fix reads every finding and lists every live assignment: a full pass does it, other runs once per <c>FindingsCheckEvery</c>.</summary>
    private bool FindingsCheckDue(SyncMessage message, SyncState state, DateTimeOffset now) =>
        message.Full || state.LastFindingsCheckAt is not { } last || now - last >= _options.Value.FindingsCheckEvery;

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
