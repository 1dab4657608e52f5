using DefenderSnow.Core.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Sync;

/// <summary>What <see cref="SyncLease.AcquireAsync"/> found: the state it read, and who held it when the run did not get it.</summary>
/// <param name="State">The sync state as read (as written, when the hold was taken).</param>
/// <param name="HeldBy">The run that holds the integration ("another run" when it could not be named); null when acquired.</param>
public sealed record SyncLeaseAcquisition(SyncState State, string? HeldBy)
{
    public bool Acquired => HeldBy is null;
}

/// <summary>
/// The one way a run takes, keeps and gives back its hold on an integration (<see cref="SyncState.HeldByRun"/>
/// until <see cref="SyncState.HeldUntil"/>). Taking it is a write conditional on the ETag read (an insert when the
/// state has no row yet), so of two runs that both saw it free exactly one gets it; the other is told who has it.
/// </summary>
public sealed partial class SyncLease
{
    private const int MaxRenewAttempts = 5;

    private readonly ISyncStateStore _states;
    private readonly IOptions<SyncOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SyncLease> _logger;

    public SyncLease(ISyncStateStore states, IOptions<SyncOptions> options, TimeProvider timeProvider, ILogger<SyncLease> logger)
    {
        _states = states;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    private TimeSpan Duration => _options.Value.SyncHoldDuration;

    /// <summary>
    /// Takes the hold for <paramref name="runId"/>, or confirms it when the run already has it with more than half of its
    /// duration left (taken conditionally when the run was requested, so no write is needed to know it is ours).
    /// </summary>
    public async Task<SyncLeaseAcquisition> AcquireAsync(string integrationId, string runId, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var state = await _states.GetAsync(integrationId, cancellationToken).ConfigureAwait(false);
        if (state.Value.IsHeldByAnotherRun(runId, now))
        {
            return new SyncLeaseAcquisition(state.Value, state.Value.HeldByRun);
        }

        if (state.Value.HeldByRun == runId && state.Value.HeldUntil - now > Duration / 2)
        {
            return new SyncLeaseAcquisition(state.Value, null);
        }

        try
        {
            var saved = await _states.SaveAsync(state with { Value = state.Value with { HeldByRun = runId, HeldUntil = now + Duration } }, cancellationToken).ConfigureAwait(false);
            return new SyncLeaseAcquisition(saved.Value, null);
        }
        catch (ConcurrencyException)
        {
            // Someone wrote the state between our read and our write: whoever it was, the hold is not ours to take.
            var current = await _states.GetAsync(integrationId, cancellationToken).ConfigureAwait(false);
            var holder = current.Value.HeldByRun is { } other && other != runId ? other : "another run";
            LogLost(_logger, integrationId, runId, holder);
            return new SyncLeaseAcquisition(current.Value, holder);
        }
    }

    /// <summary>Moves the hold's end a full duration on, if the run still has it.</summary>
    /// <returns>False when another run has taken it.</returns>
    public async Task<bool> RenewAsync(string integrationId, string runId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var state = await _states.GetAsync(integrationId, cancellationToken).ConfigureAwait(false);
            if (state.Value.HeldByRun != runId)
            {
                return false;
            }

            try
            {
                await _states.SaveAsync(state with { Value = state.Value with { HeldUntil = _timeProvider.GetUtcNow() + Duration } }, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (ConcurrencyException) when (attempt < MaxRenewAttempts)
            {
                // The run's own cursor writes share the row: read again and look at who holds it now.
            }
        }
    }

    /// <summary>
    /// Renews the hold every third of its duration until disposed, so a pass longer than the hold keeps it; its
    /// <see cref="SyncLeaseKeeper.Token"/> is cancelled when another run took it, which stops the pass.
    /// </summary>
    public SyncLeaseKeeper KeepAlive(string integrationId, string runId, CancellationToken cancellationToken) =>
        new(this, integrationId, runId, Duration / 3, _timeProvider, cancellationToken);

    /// <summary>Gives the hold back if the run still has it, and records a successful full pass.</summary>
    public async Task ReleaseAsync(string integrationId, string runId, DateTimeOffset? fullPassAt, CancellationToken cancellationToken)
    {
        await _states.UpdateAsync(
            integrationId,
            s => s with
            {
                HeldByRun = s.HeldByRun == runId ? null : s.HeldByRun,
                HeldUntil = s.HeldByRun == runId ? null : s.HeldUntil,
                LastFullSyncAt = fullPassAt ?? s.LastFullSyncAt,
            },
            cancellationToken).ConfigureAwait(false);
    }

    internal void RenewalFailed(Exception exception, string integrationId, string runId) => LogRenewalFailed(_logger, exception, integrationId, runId);

    internal void LostDuringPass(string integrationId, string runId) => LogLost(_logger, integrationId, runId, "another run");

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} did not get the hold on integration {IntegrationId}: {HeldBy} has it")]
    private static partial void LogLost(ILogger logger, string integrationId, string runId, string heldBy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew run {RunId}'s hold on integration {IntegrationId}; trying again at the next renewal")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception, string integrationId, string runId);
}

/// <summary>Keeps one run's hold renewed while its passes run; see <see cref="SyncLease.KeepAlive"/>.</summary>
public sealed class SyncLeaseKeeper : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _linked;
    private readonly Task _loop;

    internal SyncLeaseKeeper(SyncLease lease, string integrationId, string runId, TimeSpan every, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lost.Token);
        _loop = RenewAsync(lease, integrationId, runId, every, timeProvider, _stop.Token);
    }

    /// <summary>The host's shutdown, or the loss of the hold.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>Another run took the hold: the pass stopped, and this run must neither release it nor write more.</summary>
    public bool Lost => _lost.IsCancellationRequested;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _linked.Dispose();
        _lost.Dispose();
    }

    private async Task RenewAsync(SyncLease lease, string integrationId, string runId, TimeSpan every, TimeProvider timeProvider, CancellationToken stop)
    {
        while (true)
        {
            await Task.Delay(every, timeProvider, stop).ConfigureAwait(false);
            try
            {
                if (!await lease.RenewAsync(integrationId, runId, stop).ConfigureAwait(false))
                {
                    lease.LostDuringPass(integrationId, runId);
                    await _lost.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed renewal is not a lost hold: two more chances remain before it runs out.
                lease.RenewalFailed(e, integrationId, runId);
            }
        }
    }
}
