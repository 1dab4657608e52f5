using System.Runtime.CompilerServices;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Core.Sync;

/// <summary>Reads every live assignment's ticket by sys_id, and closes the assignments of deleted tickets.</summary>
public sealed class FullPass
{
    /// <summary>How many slices of a full pass are read and applied at once; their writes are paced per subscription anyway.</summary>
    private const int FullPassConcurrency = 8;

    /// <summary>Live assignments a full pass reads and applies as one unit (ten ServiceNow reads of 100 sys_ids).</summary>
    private const int FullPassSlice = 1000;

    private readonly IAssignmentStore _assignments;
    private readonly TicketChangeApplier _applier;
    private readonly IntegrationInstanceCheck _instance;

    public FullPass(IAssignmentStore assignments, TicketChangeApplier applier, IntegrationInstanceCheck instance)
    {
        _assignments = assignments;
        _applier = applier;
        _instance = instance;
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
        await foreach (var assignment in _assignments.ListLiveAsync(integrationId, Storage.TablePageSize.Max, cancellationToken).ConfigureAwait(false))
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
}
