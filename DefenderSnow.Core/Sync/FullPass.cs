using System.Runtime.CompilerServices;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// Reads every live assignment's ticket by sys_id, and closes the assignments of deleted tickets. A ticket the bulk read
/// leaves out is read once more on its own, since a list read drops what ACLs hide without a word: only a 404 there counts
/// as deleted, a refusal or a blank record is reported and left open. The deletions are closed after the whole pass, and
/// only when they stay within <see cref="MassClosureGuard"/>'s share.
/// </summary>
public sealed partial class FullPass
{
    /// <summary>How many slices of a full pass are read and applied at once; their writes are paced per subscription anyway.</summary>
    private const int FullPassConcurrency = 8;

    /// <summary>Live assignments a full pass reads and applies as one unit (ten ServiceNow reads of 100 sys_ids).</summary>
    private const int FullPassSlice = 1000;

    private readonly IAssignmentStore _assignments;
    private readonly TicketChangeApplier _applier;
    private readonly MassClosureGuard _guard;
    private readonly IntegrationInstanceCheck _instance;
    private readonly ILogger<FullPass> _logger;

    public FullPass(IAssignmentStore assignments, TicketChangeApplier applier, MassClosureGuard guard, IntegrationInstanceCheck instance, ILogger<FullPass> logger)
    {
        _assignments = assignments;
        _applier = applier;
        _guard = guard;
        _instance = instance;
        _logger = logger;
    }

    /// <summary>
    /// Reads the instance's choices and fields again (sys_choice and sys_dictionary: two requests for the default tables,
    /// the lineages being known) and checks the mappings against them, before the tickets are read with them.
    /// </summary>
    internal Task<Integration> RefreshInstanceAsync(IServiceNowClient client, Integration integration, CancellationToken cancellationToken) =>
        _instance.RefreshAsync(client, integration, cancellationToken);

    internal async Task RunAsync(IServiceNowClient client, string integrationId, SyncTally tally, CancellationToken cancellationToken)
    {
        // Slices are read and applied FullPassConcurrency at a time while the listing goes on: reading 100,000 tickets one
        // chunk after another would spend most of the pass waiting on ServiceNow, and holding the whole listing first
        // would cost memory in proportion to the estate. Parallel.ForEachAsync takes the next slice only when a worker is free.
        var gate = new Lock();
        var live = new StrongBox<int>();
        var gone = new List<Storage.Versioned<Assignment>>();
        await Parallel.ForEachAsync(
            SlicesAsync(integrationId, live, cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = FullPassConcurrency, CancellationToken = cancellationToken },
            async (slice, token) =>
            {
                var part = new SyncTally(integrationId);
                var goneHere = new List<Storage.Versioned<Assignment>>();
                try
                {
                    await ReconcileAsync(client, integrationId, slice, part, goneHere, token).ConfigureAwait(false);
                }
                finally
                {
                    lock (gate)
                    {
                        tally.Add(part);
                        gone.AddRange(goneHere);
                    }
                }
            }).ConfigureAwait(false);

        // Only now is the share known: a pass that stopped half-way closed nothing for a deletion.
        if (!_guard.Allows(gone.Count, live.Value))
        {
            _guard.Withhold(tally, AttentionCause.TicketsMissing, gone.Count, _guard.OverLimit("ServiceNow answered 404 for their tickets", gone.Count, live.Value));
        }
        else
        {
            foreach (var assignment in gone)
            {
                await _applier.CloseDeletedAsync(assignment, tally, cancellationToken).ConfigureAwait(false);
            }
        }

        tally.GuardRan(AttentionCause.TicketsMissing);
    }

    /// <summary>
    /// The live assignments with a ticket, as slices of one table's <see cref="FullPassSlice"/>, taken from the listing as
    /// it comes. A table's remainder is carried across listing pages until its slice is full, so every ServiceNow read
    /// but the last of each table names a full chunk of sys_ids.
    /// </summary>
    /// <param name="integrationId">The integration synced.</param>
    /// <param name="live">Counts the live assignments listed (the guard's whole).</param>
    /// <param name="cancellationToken">The host's shutdown.</param>
    private async IAsyncEnumerable<Storage.Versioned<Assignment>[]> SlicesAsync(string integrationId, StrongBox<int> live, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filling = new Dictionary<string, List<Storage.Versioned<Assignment>>>(StringComparer.Ordinal);
        await foreach (var assignment in _assignments.ListLiveAsync(integrationId, Storage.TablePageSize.Max, cancellationToken).ConfigureAwait(false))
        {
            live.Value++;
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

    /// <summary>
    /// Reads the tickets of one table's slice of live assignments by sys_id and applies each; a missing one is read on its
    /// own, and goes to <paramref name="gone"/> only when ServiceNow says 404.
    /// </summary>
    private async Task ReconcileAsync(
        IServiceNowClient client, string integrationId, Storage.Versioned<Assignment>[] slice, SyncTally tally, List<Storage.Versioned<Assignment>> gone, CancellationToken cancellationToken)
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
                await ConfirmAsync(client, integrationId, assignment, tally, gone, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One read by sys_id for a ticket the bulk read left out: the only request a full pass spends per ticket.</summary>
    private async Task ConfirmAsync(
        IServiceNowClient client, string integrationId, Storage.Versioned<Assignment> assignment, SyncTally tally, List<Storage.Versioned<Assignment>> gone, CancellationToken cancellationToken)
    {
        var ticket = assignment.Value.Ticket;
        var confirmation = await client.ConfirmTicketAsync(ticket.Table, ticket.SysId!, cancellationToken).ConfigureAwait(false);
        switch (confirmation.Presence)
        {
            case ServiceNowTicketPresence.Found:
                await _applier.ApplyAsync(integrationId, confirmation.Ticket!, assignment, tally, cancellationToken).ConfigureAwait(false);
                break;
            case ServiceNowTicketPresence.Gone:
                tally.TicketsExamined++;
                gone.Add(assignment);
                break;
            default:
                tally.TicketsExamined++;
                tally.TicketsUnreadable++;
                LogUnreadable(_logger, ticket.Number, ticket.Table, integrationId, confirmation.Reason);
                tally.Error(ticket.Number, $"Ticket {ticket.Number} was not in the bulk read and the integration user may not read it ({confirmation.Reason}); its assignment was left open. Check the user's ACLs on '{ticket.Table}'.");
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ticket {TicketNumber} ({Table}) of integration {IntegrationId} is unreadable to the integration user; its assignment was left open: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string? ticketNumber, string table, string integrationId, string? reason);
}
