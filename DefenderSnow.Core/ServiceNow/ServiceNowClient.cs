using System.Net;
using System.Text.RegularExpressions;
using DefenderSnow.Core.Errors;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.ServiceNow;

/// <inheritdoc cref="IServiceNowClient"/>
internal sealed partial class ServiceNowClient : IServiceNowClient
{
    private const string TicketFields =
        "sys_id,number,state,short_description,assigned_to,assigned_to.user_name,assigned_to.email,assignment_group,correlation_id,sys_created_on,sys_updated_on,sys_mod_count";

    /// <summary>A create whose outcome was unknown is sent again at most this often in total, and only after a lookup.</summary>
    private const int MaxCreateAttempts = 2;

    /// <summary>More than a handful of tickets with one correlation id would be a fault worth seeing, not paging through.</summary>
    private const int MaxTicketsPerCorrelationId = 20;

    private readonly IServiceNowTableApi _api;
    private readonly IServiceNowTokenProvider _tokens;
    private readonly ServiceNowUserCache _users;
    private readonly ServiceNowOptions _options;
    private readonly ILogger _logger;

    public ServiceNowClient(
        ServiceNowConnection connection, IServiceNowTableApi api, IServiceNowTokenProvider tokens, ServiceNowUserCache users, ServiceNowOptions options, ILogger logger)
    {
        Connection = connection;
        _api = api;
        _tokens = tokens;
        _users = users;
        _options = options;
        _logger = logger;
    }

    public ServiceNowConnection Connection { get; }

    public async Task<ServiceNowTicket> CreateTicketAsync(ServiceNowTicketRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var table = TicketTable(request.Table, "table");
        var body = CreateBody(table, request);

        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await SendAuthorizedAsync(
                    authorization => _api.CreateAsync(table.Name, body, new ServiceNowListQuery { Fields = TicketFields }, authorization, cancellationToken),
                    $"the creation of a ticket in '{table.Name}'",
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ServiceNowUnreachableException e)
            {
                // Lost on the way back (timeout, reset connection): the ticket may exist.
                var adopted = await AdoptAsync(table, request.CorrelationId, attempt, cancellationToken).ConfigureAwait(false);
                if (adopted is not null)
                {
                    return adopted;
                }

                if (attempt >= MaxCreateAttempts)
                {
                    throw new ServiceNowUnreachableException(e.Message, e);
                }

                continue;
            }

            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    var created = await ServiceNowJson.ReadResultAsync<ServiceNowTicketRecord>(response, cancellationToken).ConfigureAwait(false);
                    var ticket = ToTicket(table, created);
                    LogTicketCreated(_logger, Connection.IntegrationId, table.Name, ticket.Number, ticket.SysId);
                    return ticket;
                }

                // A 5xx may come after ServiceNow committed the insert; a 429 is refused before any work is done.
                if ((int)response.StatusCode >= 500)
                {
                    var adopted = await AdoptAsync(table, request.CorrelationId, attempt, cancellationToken).ConfigureAwait(false);
                    if (adopted is not null)
                    {
                        return adopted;
                    }

                    if (attempt < MaxCreateAttempts)
                    {
                        continue;
                    }
                }

                throw await ServiceNowCall.ToExceptionAsync(response, $"to create a ticket in '{table.Name}'", table.Name, cancellationToken).ConfigureAwait(false);
            }
        }
    }

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
            var records = await ListAsync<ServiceNowTicketRecord>(ticketTable.Name, query, cancellationToken).ConfigureAwait(false);
            tickets.AddRange(records.Select(r => ToTicket(ticketTable, r)));
        }

        return tickets;
    }

    public async Task<ServiceNowChangePage> GetChangedTicketsAsync(string table, ServiceNowChangeCursor cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var ticketTable = TicketTable(table, "table");
        const string ours = ServiceNowTicketTables.OursQuery;
        var at = ServiceNowDateTime.FormatForQuery(cursor.UpdatedOn, TimeZone());
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
        var (records, hasNext) = await ListPageAsync<ServiceNowTicketRecord>(ticketTable.Name, query, cancellationToken).ConfigureAwait(false);

        // The query's dates are only as exact as the time-zone conversion; the UTC answers decide.
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

    public async Task<IReadOnlyList<ServiceNowTicket>> FindAllByCorrelationIdAsync(string table, string correlationId, CancellationToken cancellationToken)
    {
        var ticketTable = TicketTable(table, "table");
        var query = new ServiceNowListQuery
        {
            // Tickets created in one second tie on sys_created_on and come back in any order; the number decides.
            Query = $"correlation_id={ServiceNowQueryValue.Single(correlationId, "correlationId")}^ORDERBYsys_created_on^ORDERBYnumber",
            Fields = TicketFields,
            Limit = MaxTicketsPerCorrelationId,
        };
        var records = await ListAsync<ServiceNowTicketRecord>(ticketTable.Name, query, cancellationToken).ConfigureAwait(false);

        // Tickets created in the same second tie on sys_created_on and come back in any order; numbers grow, so they decide.
        return records.Select(r => ToTicket(ticketTable, r))
            .OrderBy(t => t.CreatedOn)
            .ThenBy(t => t.Number, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<ServiceNowTicket> UpdateTicketAsync(string table, string sysId, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var ticketTable = TicketTable(table, "table");
        var id = ServiceNowQueryValue.SysId(sysId, "sysId");
        var body = CheckFields(ticketTable, fields, new Dictionary<string, string[]>());
        using var response = await SendAuthorizedAsync(
            authorization => _api.UpdateAsync(ticketTable.Name, id, body, new ServiceNowListQuery { Fields = TicketFields }, authorization, cancellationToken),
            $"the update of ticket {id} in '{ticketTable.Name}'",
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ServiceNowCall.ToExceptionAsync(response, $"to update ticket {id} in '{ticketTable.Name}'", ticketTable.Name, cancellationToken).ConfigureAwait(false);
        }

        var updated = ToTicket(ticketTable, await ServiceNowJson.ReadResultAsync<ServiceNowTicketRecord>(response, cancellationToken).ConfigureAwait(false));
        LogTicketUpdated(_logger, Connection.IntegrationId, ticketTable.Name, updated.Number, body.Keys);
        return updated;
    }

    public Task AddWorkNoteAsync(string table, string sysId, string note, CancellationToken cancellationToken) =>
        UpdateTicketAsync(table, sysId, new Dictionary<string, string> { ["work_notes"] = note }, cancellationToken);

    public Task<ServiceNowTicket> CancelDuplicateAsync(string table, string sysId, string keptNumber, CancellationToken cancellationToken)
    {
        var ticketTable = TicketTable(table, "table");
        var note = $"Canceled by DefenderSnow: this ticket duplicates {keptNumber}, which tracks the same finding.";
        var fields = new Dictionary<string, string>(ticketTable.CancelFields) { ["work_notes"] = note };
        if (ticketTable.CancelNotesField is { } notesField)
        {
            fields[notesField] = note;
        }

        return UpdateTicketAsync(ticketTable.Name, sysId, fields, cancellationToken);
    }

    public async Task<ServiceNowUser> ResolveUserAsync(string emailOrUserName, string field, CancellationToken cancellationToken)
    {
        var value = ServiceNowQueryValue.Single(emailOrUserName?.Trim(), field);
        if (_users.TryGet(Connection, value, out var remembered))
        {
            return remembered;
        }

        var query = new ServiceNowListQuery
        {
            // "a^b^ORc" is a AND (b OR c) in an encoded query.
            Query = $"active=true^user_name={value}^ORemail={value}",
            Fields = "sys_id,user_name,email,name",
            Limit = 2,
        };
        var records = await ListAsync<ServiceNowUserRecord>("sys_user", query, cancellationToken).ConfigureAwait(false);
        var user = records.Count switch
        {
            0 => throw new ValidationException(field, $"No active ServiceNow user has the e-mail address or user name '{value}'."),
            > 1 => throw new ValidationException(field, $"Several active ServiceNow users match '{value}'; give a value that names exactly one (for example the user name)."),
            _ => records[0].ToUser(),
        };
        _users.Remember(Connection, value, user);
        return user;
    }

    public async Task<ServiceNowGroup> ResolveGroupAsync(string nameOrSysId, string field, CancellationToken cancellationToken)
    {
        var value = ServiceNowQueryValue.Single(nameOrSysId?.Trim(), field);
        var query = new ServiceNowListQuery
        {
            Query = ServiceNowQueryValue.IsSysId(value) ? $"active=true^sys_id={value}^ORname={value}" : $"active=true^name={value}",
            Fields = "sys_id,name",
            Limit = 2,
        };
        var records = await ListAsync<ServiceNowGroupRecord>("sys_user_group", query, cancellationToken).ConfigureAwait(false);
        return records.Count switch
        {
            0 => throw new ValidationException(field, $"No active ServiceNow group has the name or sys_id '{value}'."),
            > 1 => throw new ValidationException(field, $"Several active ServiceNow groups match '{value}'; give the group's sys_id."),
            _ => records[0].ToGroup(),
        };
    }

    private async Task<ServiceNowTicket?> AdoptAsync(ServiceNowTicketTable table, string correlationId, int attempt, CancellationToken cancellationToken)
    {
        var existing = await FindByCorrelationIdAsync(table.Name, correlationId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            LogTicketAdopted(_logger, Connection.IntegrationId, table.Name, existing.Number, attempt);
        }
        else
        {
            LogCreateNotFound(_logger, Connection.IntegrationId, table.Name, attempt);
        }

        return existing;
    }

    private async Task<List<T>> ListAsync<T>(string table, ServiceNowListQuery query, CancellationToken cancellationToken) =>
        (await ListPageAsync<T>(table, query, cancellationToken).ConfigureAwait(false)).Records;

    /// <summary>
    /// One page, and whether ServiceNow names a next one (<c>Link</c> with <c>rel="next"</c>). A short or empty page
    /// says nothing: row-level ACLs take rows out after the page is cut.
    /// </summary>
    private async Task<(List<T> Records, bool HasNext)> ListPageAsync<T>(string table, ServiceNowListQuery query, CancellationToken cancellationToken)
    {
        using var response = await SendAuthorizedAsync(
            authorization => _api.ListAsync(table, query, authorization, cancellationToken),
            $"a read of table '{table}'",
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ServiceNowCall.ToExceptionAsync(response, $"to read table '{table}'", table, cancellationToken).ConfigureAwait(false);
        }

        var hasNext = response.Headers.TryGetValues("Link", out var links) && links.Any(l => NextLink().IsMatch(l));
        return (await ServiceNowJson.ReadResultAsync<List<T>>(response, cancellationToken).ConfigureAwait(false), hasNext);
    }

    private TimeZoneInfo? TimeZone() =>
        Connection.TimeZone is null ? null
        : TimeZoneInfo.TryFindSystemTimeZoneById(Connection.TimeZone, out var zone) ? zone
        : throw new ServiceNowRejectedException($"The ServiceNow user's time zone '{Connection.TimeZone}' is not one DefenderSnow knows; update the integration's credentials after giving the user an IANA time zone.");

    [GeneratedRegex(@"rel\s*=\s*""?next""?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NextLink();

    /// <summary>Sends with the current token; a 401 renews the token once and sends once more, never again.</summary>
    private async Task<HttpResponseMessage> SendAuthorizedAsync(Func<string, Task<HttpResponseMessage>> send, string action, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetAccessTokenAsync(Connection, cancellationToken).ConfigureAwait(false);
        var response = await ServiceNowCall.SendAsync(() => send("Bearer " + token), action, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        LogTokenRefused(_logger, Connection.IntegrationId);
        token = await _tokens.RenewAccessTokenAsync(Connection, token, cancellationToken).ConfigureAwait(false);
        return await ServiceNowCall.SendAsync(() => send("Bearer " + token), action, cancellationToken).ConfigureAwait(false);
    }

    private static ServiceNowTicketTable TicketTable(string table, string field) =>
        ServiceNowTicketTables.TryGet(table, out var found)
            ? found
            : throw new ValidationException(field, $"'{table}' is not a ticket table (incident, problem, change_request).");

    private static Dictionary<string, string> CreateBody(ServiceNowTicketTable table, ServiceNowTicketRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.CorrelationId) || request.CorrelationId.Length > 100)
        {
            errors["correlationId"] = ["A correlation id of 1 to 100 characters is required."];
        }

        if (request.FollowsTicket is { } previous && (previous.Length > 40 || !Defender.TicketNumber.TryToGovernanceNumber(previous, out _)))
        {
            errors["followsTicket"] = ["Must be a ticket number such as INC0010001."];
        }

        return new Dictionary<string, string>(CheckFields(table, request.Fields, errors))
        {
            ["correlation_id"] = request.CorrelationId,
            ["correlation_display"] = request.FollowsTicket is null
                ? ServiceNowTicketTables.CorrelationDisplay
                : ServiceNowTicketTables.CorrelationDisplayFollowing + request.FollowsTicket,
        };
    }

    /// <summary>The fields as they may be sent to <paramref name="table"/>; throws with every problem (and those already in <paramref name="errors"/>).</summary>
    private static Dictionary<string, string> CheckFields(ServiceNowTicketTable table, IReadOnlyDictionary<string, string> fields, Dictionary<string, string[]> errors)
    {
        foreach (var (name, value) in fields)
        {
            if (!table.HasField(name) || name.StartsWith("sys_", StringComparison.Ordinal) || name is "number" or "correlation_id" or "correlation_display")
            {
                errors[$"fields.{name}"] = [$"'{name}' is not a field DefenderSnow may set on '{table.Name}'."];
            }
            else if (value is null)
            {
                errors[$"fields.{name}"] = ["A value is required."];
            }
        }

        if (fields.TryGetValue("short_description", out var shortDescription) && shortDescription?.Length > 160)
        {
            errors["fields.short_description"] = ["ServiceNow holds at most 160 characters of short description."];
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        return new Dictionary<string, string>(fields);
    }

    private ServiceNowTicket ToTicket(ServiceNowTicketTable table, ServiceNowTicketRecord record) => record.ToTicket(table, Connection.InstanceUrl);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created ServiceNow ticket {Number} ({SysId}) in {Table} for integration {IntegrationId}")]
    private static partial void LogTicketCreated(ILogger logger, string integrationId, string table, string number, string sysId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Updated ServiceNow ticket {Number} in {Table} for integration {IntegrationId}: {Fields}")]
    private static partial void LogTicketUpdated(ILogger logger, string integrationId, string table, string number, IEnumerable<string> fields);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A create in {Table} for integration {IntegrationId} had an unknown outcome (attempt {Attempt}); adopted existing ticket {Number}")]
    private static partial void LogTicketAdopted(ILogger logger, string integrationId, string table, string number, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A create in {Table} for integration {IntegrationId} had an unknown outcome (attempt {Attempt}); no ticket with its correlation id exists")]
    private static partial void LogCreateNotFound(ILogger logger, string integrationId, string table, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "ServiceNow refused the access token of integration {IntegrationId}; renewing once")]
    private static partial void LogTokenRefused(ILogger logger, string integrationId);
}
