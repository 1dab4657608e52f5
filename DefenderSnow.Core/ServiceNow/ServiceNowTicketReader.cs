using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// The ticket reads of <see cref="ServiceNowClient"/>: by sys_id, by correlation id, and the keyset-paged reads of
/// what changed since a <see cref="ServiceNowChangeCursor"/>. Apart from the writes, so the paging rules stand on their own.
/// </summary>
internal sealed class ServiceNowTicketReader
{
    /// <summary>The fields every ticket is read with, also asked back by the client's creates and updates.</summary>
    public const string TicketFields =
        "sys_id,number,state,short_description,assigned_to,assigned_to.user_name,assigned_to.email,assignment_group,correlation_id,correlation_display,sys_created_by,sys_created_on,sys_updated_on,sys_mod_count";

    /// <summary>More than a handful of tickets with one correlation id would be a fault worth seeing, not paging through.</summary>
    private const int MaxTicketsPerCorrelationId = 20;

    private readonly ServiceNowSession _session;
    private readonly ServiceNowOptions _options;

    public ServiceNowTicketReader(ServiceNowSession session, ServiceNowOptions options)
    {
        _session = session;
        _options = options;
    }

    private ServiceNowConnection Connection => _session.Connection;

    public async Task<IReadOnlyList<ServiceNowTicket>> GetTicketsAsync(string table, IEnumerable<string> sysIds, CancellationToken cancellationToken)
    {
        var ticketTable = TicketTable(table, "table");
        var ids = sysIds.Distinct(StringComparer.Ordinal).Select(id => ServiceNowQueryValue.SysId(id, "sysIds")).ToList();
        var tickets = new List<ServiceNowTicket>(ids.Count);
        foreach (var chunk in ids.Chunk(_options.ReadChunkSize))
        {
            var query = new ServiceNowListQuery
            {
                Query = $"sys_idIN{ServiceNowQueryValue.List(chunk, "sysIds")}",
                Fields = TicketFields,
                Limit = chunk.Length,
            };
            var records = await _session.ListAsync<ServiceNowTicketRecord>(ticketTable.Name, query, cancellationToken).ConfigureAwait(false);
            tickets.AddRange(records.Select(r => ToTicket(ticketTable, r)));
        }

        return tickets;
    }

    public async Task<ServiceNowTicketConfirmation> ConfirmTicketAsync(string table, string sysId, CancellationToken cancellationToken)
    {
        var ticketTable = TicketTable(table, "table");
        var id = ServiceNowQueryValue.SysId(sysId, "sysId");
        using var response = await _session.SendAuthorizedAsync(
            authorization => _session.Api.GetAsync(ticketTable.Name, id, new ServiceNowListQuery { Fields = TicketFields }, authorization, cancellationToken),
            $"a read of ticket {id} in '{ticketTable.Name}'",
            cancellationToken).ConfigureAwait(false);

        // A list read drops records the user may not read silently ("sysparm_limit ... is applied before ACL evaluation",
        // Table API docs); a read by sys_id answers 404 when there is no record and 403 when an ACL refuses it
        // (KB2971488, "REST API 403: Forbidden"), or 200 with the fields blanked that field ACLs hide.
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return new ServiceNowTicketConfirmation(ServiceNowTicketPresence.Gone);
        }

        if (response.StatusCode == System.Net.HttpStatusCode.Forbidden)
        {
            return new ServiceNowTicketConfirmation(ServiceNowTicketPresence.Unreadable, Reason: await ServiceNowCall.ReadReasonAsync(response, cancellationToken).ConfigureAwait(false));
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await ServiceNowCall.ToExceptionAsync(response, $"to read ticket {id} in '{ticketTable.Name}'", ticketTable.Name, cancellationToken).ConfigureAwait(false);
        }

        var record = await ServiceNowJson.ReadResultAsync<ServiceNowTicketRecord>(response, cancellationToken).ConfigureAwait(false);
        return record is { SysId: { } readId } && string.Equals(readId, id, StringComparison.Ordinal)
            ? new ServiceNowTicketConfirmation(ServiceNowTicketPresence.Found, ToTicket(ticketTable, record))
            : new ServiceNowTicketConfirmation(ServiceNowTicketPresence.Unreadable, Reason: "ServiceNow answered without the record's fields (an ACL hides them from the integration user)");
    }

    public async Task<ServiceNowChangePage> GetChangedTicketsAsync(string table, ServiceNowChangeCursor cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var ticketTable = TicketTable(table, "table");
        const string ours = ServiceNowTicketTables.OursQuery;
        var at = (Connection.QueryDates ?? ServiceNowQueryDates.Assumed(Connection.TimeZone)).FormatLowerBound(cursor.UpdatedOn);
        var query = new ServiceNowListQuery
        {
            // Keyset paging in (sys_updated_on, sys_id) order: the start of a read takes the cursor's second again and
            // skips what it saw there; a later page starts after the last ticket read. Ties on sys_updated_on come back
            // in any order, so sys_id must break them.
            Query = (cursor.AfterSysId is null
                    ? $"{ours}^sys_updated_on>={at}"
                    : $"{ours}^sys_updated_on>{at}^NQ{ours}^sys_updated_on={at}^sys_id>{ServiceNowQueryValue.SysId(cursor.AfterSysId, "cursor")}")
                + "^ORDERBYsys_updated_on^ORDERBYsys_id",
            Fields = TicketFields,
            Limit = cursor.AfterSysId is null ? _options.PageSize + cursor.SeenAtUpdatedOn.Count : _options.PageSize,
            Offset = cursor.Skip > 0 ? cursor.Skip : null,
        };
        var (records, hasNext) = await _session.ListPageAsync<ServiceNowTicketRecord>(ticketTable.Name, query, cancellationToken).ConfigureAwait(false);

        // The query's bound is at or before the cursor however the instance reads it (ServiceNowQueryDates); the UTC answers decide.
        var read = records.Select(r => ToTicket(ticketTable, r))
            .Where(t => cursor.AfterSysId is null
                ? t.UpdatedOn >= cursor.UpdatedOn
                : t.UpdatedOn > cursor.UpdatedOn || (t.UpdatedOn == cursor.UpdatedOn && string.CompareOrdinal(t.SysId, cursor.AfterSysId) > 0))
            .OrderBy(t => t.UpdatedOn).ThenBy(t => t.SysId, StringComparer.Ordinal)
            .ToList();
        var fresh = read
            .Where(t => !(t.UpdatedOn == cursor.UpdatedOn && cursor.SeenAtUpdatedOn.TryGetValue(t.SysId, out var count) && count == t.ModCount))
            .ToList();

        ServiceNowChangeCursor next;
        if (read.Count == 0)
        {
            // A page of rows all hidden from this user (row-level ACLs cut pages after the limit) is no end: step over it.
            next = hasNext
                ? new ServiceNowChangeCursor(cursor.UpdatedOn, cursor.SeenAtUpdatedOn, cursor.AfterSysId, cursor.Skip + query.Limit!.Value)
                : new ServiceNowChangeCursor(cursor.UpdatedOn, cursor.SeenAtUpdatedOn);
        }
        else
        {
            var last = read[^1];
            var seen = last.UpdatedOn == cursor.UpdatedOn ? new Dictionary<string, int>(cursor.SeenAtUpdatedOn) : [];
            foreach (var ticket in read.Where(t => t.UpdatedOn == last.UpdatedOn))
            {
                seen[ticket.SysId] = ticket.ModCount;
            }

            // When the read is over, the next one starts at the last second again and skips what was seen there.
            next = new ServiceNowChangeCursor(last.UpdatedOn, seen, hasNext ? last.SysId : null);
        }

        return new ServiceNowChangePage(fresh, next, hasNext);
    }

    public async Task<ServiceNowTicket?> FindByCorrelationIdAsync(string table, string correlationId, CancellationToken cancellationToken) =>
        (await FindAllByCorrelationIdAsync(table, correlationId, cancellationToken).ConfigureAwait(false)) is [var first, ..] ? first : null;

    /// <summary>
    /// The tickets DefenderSnow opened with <paramref name="correlationId"/>, oldest first: the ones to adopt or to cancel
    /// as duplicates. Anyone who may edit a ticket can give it our correlation id and display, so a ticket counts only when
    /// the integration user created it too; the query says so, lest planted tickets crowd ours out of the limit, and the
    /// answer is checked again, as a field the instance does not know is ignored in a query.
    /// </summary>
    public async Task<IReadOnlyList<ServiceNowTicket>> FindAllByCorrelationIdAsync(string table, string correlationId, CancellationToken cancellationToken)
    {
        var ticketTable = TicketTable(table, "table");
        var creator = ServiceNowQueryValue.Single(Connection.Username, "username");
        var query = new ServiceNowListQuery
        {
            // "a^b^c^ORd" is a AND b AND (c OR d). Tickets created in one second tie on sys_created_on; the number decides.
            Query = $"correlation_id={ServiceNowQueryValue.Single(correlationId, "correlationId")}^sys_created_by={creator}^{ServiceNowTicketTables.OursQuery}^ORDERBYsys_created_on^ORDERBYnumber",
            Fields = TicketFields,
            Limit = MaxTicketsPerCorrelationId,
        };
        var records = await _session.ListAsync<ServiceNowTicketRecord>(ticketTable.Name, query, cancellationToken).ConfigureAwait(false);

        // Tickets created in the same second tie on sys_created_on and come back in any order; numbers grow, so they decide.
        return records.Select(r => ToTicket(ticketTable, r))
            .Where(t => string.Equals(t.CorrelationId, correlationId, StringComparison.Ordinal)
                && ServiceNowTicketTables.IsOurCorrelationDisplay(t.CorrelationDisplay)
                && string.Equals(t.CreatedBy, creator, StringComparison.OrdinalIgnoreCase))
            .OrderBy(t => t.CreatedOn)
            .ThenBy(t => t.Number, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The ticket table named <paramref name="table"/>, or a validation error against <paramref name="field"/>.</summary>
    public ServiceNowTicketTable TicketTable(string table, string field) =>
        Connection.Catalog.TryGet(table, out var found)
            ? found
            : throw new ValidationException(field, $"'{table}' is not a ticket table of this integration ({Connection.Catalog.Names}).");

    public ServiceNowTicket ToTicket(ServiceNowTicketTable table, ServiceNowTicketRecord record) => record.ToTicket(table, Connection.InstanceUrl);
}
