using System.Runtime.ExceptionServices;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.Sync;

/// <summary>
/// Per ticket table, only our tickets changed since the integration's cursor, page by page; the cursor moves only past
/// changes that were applied.
/// </summary>
public sealed class IncrementalPass
{
    /// <summary>A first incremental read starts this long before the integration was created, in case clocks differ.</summary>
    private static readonly TimeSpan FirstReadMargin = TimeSpan.FromMinutes(5);

    /// <summary>How many changes of one page are applied at once: each is a Resource Manager write and two table operations.</summary>
    private const int IncrementalConcurrency = 8;

    private readonly ISyncStateStore _states;
    private readonly TicketChangeApplier _applier;
    private readonly IOptions<SyncOptions> _options;

    public IncrementalPass(ISyncStateStore states, TicketChangeApplier applier, IOptions<SyncOptions> options)
    {
        _states = states;
        _applier = applier;
        _options = options;
    }

    internal async Task RunAsync(IServiceNowClient client, Integration integration, SyncTally tally, CancellationToken cancellationToken)
    {
        var state = (await _states.GetAsync(integration.Id, cancellationToken).ConfigureAwait(false)).Value;
        foreach (var table in client.Connection.Catalog.Tables)
        {
            var read = state.Cursors.GetValueOrDefault(table.Name) ?? ServiceNowChangeCursor.Since(integration.CreatedAt - FirstReadMargin);
            var applied = read;
            var blocked = false;
            for (var pages = 1; ; pages++)
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

                if (pages >= _options.Value.SyncMaxChangePages)
                {
                    // The cursor was saved just above: the next run reads on from here.
                    tally.Error(null, $"{table.Name}: stopped after {pages} pages of changes (SyncMaxChangePages); the next run goes on from there.");
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
}
