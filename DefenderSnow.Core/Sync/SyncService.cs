using DefenderSnow.Core.Access;
using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// Starts runs (records the run, holds each integration for it, and puts one message per integration on
/// <c>sync-integrations</c>) and reads them back.
/// </summary>
public sealed partial class SyncService
{
    /// <summary>The <c>top</c> of the list.</summary>
    public static readonly ListPageSize Paging = new(20);

    private readonly IIntegrationStore _integrations;
    private readonly IntegrationAccess _access;
    private readonly SyncLease _lease;
    private readonly ISyncRunStore _runs;
    private readonly IWorkQueueSender _queue;
    private readonly IOptions<SyncOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SyncService> _logger;

    public SyncService(
        IIntegrationStore integrations,
        IntegrationAccess access,
        SyncLease lease,
        ISyncRunStore runs,
        IWorkQueueSender queue,
        IOptions<SyncOptions> options,
        TimeProvider timeProvider,
        ILogger<SyncService> logger)
    {
        _integrations = integrations;
        _access = access;
        _lease = lease;
        _runs = runs;
        _queue = queue;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// Starts a run. An integration another run is still syncing makes a manual run fail with
    /// <see cref="ConflictException"/> (nothing recorded, nothing held); a timer run skips it with a note.
    /// </summary>
    /// <param name="access">What the caller may reach: a run without an integration id covers only those; the timer passes <see cref="CallerAccess.Unrestricted"/>.</param>
    public async Task<SyncRun> StartAsync(SyncTrigger trigger, StartSyncRequest request, CallerAccess access, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var runId = SyncRunId.New(now);
        var full = request.Full ?? false;
        var integrations = await CoveredIntegrationsAsync(request.IntegrationId, access, cancellationToken).ConfigureAwait(false);

        var rows = new List<IntegrationSyncResult>();
        var held = new List<string>();
        foreach (var integration in integrations)
        {
            var lease = await _lease.AcquireAsync(integration.Id, runId, cancellationToken).ConfigureAwait(false);
            var heldBy = lease.HeldBy;
            if (lease.Acquired)
            {
                held.Add(integration.Id);
            }

            if (heldBy is not null)
            {
                if (trigger == SyncTrigger.Manual)
                {
                    await ReleaseAsync(runId, held).ConfigureAwait(false);
                    throw new ConflictException($"Integration '{integration.Id}' is being synced by run '{heldBy}'; start this run when that one has finished.");
                }

                rows.Add(new IntegrationSyncResult
                {
                    IntegrationId = integration.Id,
                    Status = IntegrationSyncStatus.Skipped,
                    Note = $"Run '{heldBy}' was still syncing it.",
                    FinishedAt = now,
                });
                continue;
            }

            rows.Add(new IntegrationSyncResult { IntegrationId = integration.Id, Full = full || FullPassDue(trigger, integration, lease.State, now) });
        }

        var run = new SyncRun { RunId = runId, Trigger = trigger, Full = full, StartedAt = now, Integrations = rows };
        try
        {
            await _runs.AddAsync(run, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await ReleaseAsync(runId, held).ConfigureAwait(false);
            throw;
        }

        foreach (var row in rows.Where(r => r.Status == IntegrationSyncStatus.Pending))
        {
            await _queue.SendAsync(WorkQueue.SyncIntegrations, new SyncMessage(runId, row.IntegrationId, row.Full), cancellationToken).ConfigureAwait(false);
        }

        var skipped = rows.Count(r => r.Status == IntegrationSyncStatus.Skipped);
        LogStarted(_logger, runId, trigger, rows.Count, skipped, full);
        return run;
    }

    /// <summary>The run as the caller may see it: only the rows of integrations it reaches; none, and the run is not found.</summary>
    public async Task<SyncRun> GetAsync(string runId, CallerAccess access, CancellationToken cancellationToken)
    {
        var run = await _runs.GetAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException("Sync run", runId);
        return Visible(run, await _access.VisibleIdsAsync(access, cancellationToken).ConfigureAwait(false)) ?? throw new NotFoundException("Sync run", runId);
    }

    /// <returns>Only the runs, and their rows, of integrations the caller reaches: a page can be shorter than asked.</returns>
    public async Task<ResultPage<SyncRun>> ListAsync(int? pageSize, string? continuationToken, CallerAccess access, CancellationToken cancellationToken)
    {
        var size = Paging.Require(pageSize);

        if (continuationToken is not null && !SyncRunId.IsContinuationToken(continuationToken))
        {
            throw new ValidationException("continuationToken", "Is not a continuation token this service issued.");
        }

        var page = await _runs.ListAsync(size, continuationToken, cancellationToken).ConfigureAwait(false);
        var visible = await _access.VisibleIdsAsync(access, cancellationToken).ConfigureAwait(false);
        return page with { Items = page.Items.Select(r => Visible(r, visible)).OfType<SyncRun>().ToList() };
    }

    /// <summary>Another team's rows say which integrations exist and how they fare, so they are left out, not just blanked.</summary>
    private static SyncRun? Visible(SyncRun run, IReadOnlySet<string>? visible)
    {
        if (visible is null)
        {
            return run;
        }

        var rows = run.Integrations.Where(i => visible.Contains(i.IntegrationId)).ToList();
        return rows.Count == 0 ? null : run with { Integrations = rows };
    }

    private async Task<IReadOnlyList<Integration>> CoveredIntegrationsAsync(string? integrationId, CallerAccess access, CancellationToken cancellationToken)
    {
        if (integrationId is not null)
        {
            var one = await _integrations.GetAsync(integrationId, cancellationToken).ConfigureAwait(false)
                ?? throw new NotFoundException("Integration", integrationId);
            IntegrationAccess.Require(one.Value, access, () => new NotFoundException("Integration", integrationId));
            if (one.Value.DeletionStartedAt is not null)
            {
                throw new ConflictException($"Integration '{integrationId}' is being deleted.");
            }

            return [one.Value];
        }

        var all = new List<Integration>();
        string? token = null;
        do
        {
            var page = await _integrations.ListAsync(null, TablePageSize.Default, token, cancellationToken).ConfigureAwait(false);
            all.AddRange(page.Items.Where(i => i.DeletionStartedAt is null && IntegrationAccess.Allows(i, access)));
            token = page.ContinuationToken;
        }
        while (token is not null);
        return all;
    }

    /// <summary>The timer gives an integration a full pass when its last one (or its creation) is <c>FullSyncEvery</c> ago.</summary>
    private bool FullPassDue(SyncTrigger trigger, Integration integration, SyncState state, DateTimeOffset now) =>
        trigger == SyncTrigger.Timer && now - (state.LastFullSyncAt ?? integration.CreatedAt) >= _options.Value.FullSyncEvery;

    /// <summary>Gives back the holds of a run that did not start; best effort, since they expire anyway.</summary>
    private async Task ReleaseAsync(string runId, IEnumerable<string> integrationIds)
    {
        foreach (var id in integrationIds)
        {
            try
            {
                await _lease.ReleaseAsync(id, runId, fullPassAt: null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogNotReleased(_logger, e, id, runId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sync run {RunId} started by {Trigger} for {IntegrationCount} integrations ({SkippedCount} skipped), full: {Full}")]
    private static partial void LogStarted(ILogger logger, string runId, SyncTrigger trigger, int integrationCount, int skippedCount, bool full);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release integration {IntegrationId} from run {RunId} that did not start; the hold expires")]
    private static partial void LogNotReleased(ILogger logger, Exception exception, string integrationId, string runId);
}
