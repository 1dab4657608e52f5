using DefenderSnow.Core.Errors;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.ServiceNow;

/// <inheritdoc cref="IServiceNowClient"/>
internal sealed partial class ServiceNowClient : IServiceNowClient
{
    /// <summary>A create whose outcome was unknown is sent again at most this often in total, and only after a lookup.</summary>
    private const int MaxCreateAttempts = 2;

    private readonly ServiceNowSession _session;
    private readonly ServiceNowTicketReader _reader;
    private readonly ServiceNowUserCache _users;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public ServiceNowClient(
        ServiceNowConnection connection, IServiceNowTableApi api, IServiceNowTokenProvider tokens, ServiceNowUserCache users, ServiceNowOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _session = new ServiceNowSession(connection, api, tokens, logger);
        _reader = new ServiceNowTicketReader(_session, options);
        _users = users;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public ServiceNowConnection Connection => _session.Connection;

    public async Task<ServiceNowTicket> CreateTicketAsync(ServiceNowTicketRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var table = _reader.TicketTable(request.Table, "table");
        var body = CreateBody(table, request);

        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await _session.SendAuthorizedAsync(
                    authorization => _session.Api.CreateAsync(table.Name, body, new ServiceNowListQuery { Fields = ServiceNowTicketReader.TicketFields }, authorization, cancellationToken),
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
                    var ticket = _reader.ToTicket(table, created);
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

    public async Task<ServiceNowTicket> UpdateTicketAsync(string table, string sysId, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var ticketTable = _reader.TicketTable(table, "table");
        var id = ServiceNowQueryValue.SysId(sysId, "sysId");
        var body = CheckFields(ticketTable, fields, new Dictionary<string, string[]>());
        using var response = await _session.SendAuthorizedAsync(
            authorization => _session.Api.UpdateAsync(ticketTable.Name, id, body, new ServiceNowListQuery { Fields = ServiceNowTicketReader.TicketFields }, authorization, cancellationToken),
            $"the update of ticket {id} in '{ticketTable.Name}'",
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ServiceNowCall.ToExceptionAsync(response, $"to update ticket {id} in '{ticketTable.Name}'", ticketTable.Name, cancellationToken).ConfigureAwait(false);
        }

        var updated = _reader.ToTicket(ticketTable, await ServiceNowJson.ReadResultAsync<ServiceNowTicketRecord>(response, cancellationToken).ConfigureAwait(false));
        LogTicketUpdated(_logger, Connection.IntegrationId, ticketTable.Name, updated.Number, body.Keys);
        return updated;
    }

    public Task AddWorkNoteAsync(string table, string sysId, string note, CancellationToken cancellationToken) =>
        UpdateTicketAsync(table, sysId, new Dictionary<string, string> { ["work_notes"] = note }, cancellationToken);

    public Task<ServiceNowTicket> CancelTicketAsync(string table, string sysId, string note, CancellationToken cancellationToken)
    {
        var ticketTable = _reader.TicketTable(table, "table");
        var fields = new Dictionary<string, string>(ticketTable.CancelFields) { ["work_notes"] = note };
        if (ticketTable.CancelNotesField is { } notesField)
        {
            fields[notesField] = note;
        }

        return UpdateTicketAsync(ticketTable.Name, sysId, fields, cancellationToken);
    }

    public Task<ServiceNowTicket> ReopenTicketAsync(string table, string sysId, string note, CancellationToken cancellationToken)
    {
        var ticketTable = _reader.TicketTable(table, "table");
        var reopen = ticketTable.ReopenFields ?? throw new ValidationException("table", $"'{ticketTable.Name}' tickets cannot be reopened: the integration maps no reopen state for them.");
        return UpdateTicketAsync(ticketTable.Name, sysId, new Dictionary<string, string>(reopen) { ["work_notes"] = note }, cancellationToken);
    }

    public Task<Instance.ServiceNowInstanceSchema> ReadInstanceAsync(
        IReadOnlyList<string> tables, IReadOnlyDictionary<string, IReadOnlyList<string>>? knownLineages, CancellationToken cancellationToken) =>
        new Instance.ServiceNowSchemaReader(_session.Api, _session.SendAuthorizedAsync, _timeProvider).ReadAsync(tables, knownLineages, cancellationToken);

    public Task<IReadOnlyList<ServiceNowTicket>> GetTicketsAsync(string table, IEnumerable<string> sysIds, CancellationToken cancellationToken) =>
        _reader.GetTicketsAsync(table, sysIds, cancellationToken);

    public Task<ServiceNowTicketConfirmation> ConfirmTicketAsync(string table, string sysId, CancellationToken cancellationToken) =>
        _reader.ConfirmTicketAsync(table, sysId, cancellationToken);

    public Task<ServiceNowChangePage> GetChangedTicketsAsync(string table, ServiceNowChangeCursor cursor, CancellationToken cancellationToken) =>
        _reader.GetChangedTicketsAsync(table, cursor, cancellationToken);

    public Task<ServiceNowTicket?> FindByCorrelationIdAsync(string table, string correlationId, CancellationToken cancellationToken) =>
        _reader.FindByCorrelationIdAsync(table, correlationId, cancellationToken);

    public Task<IReadOnlyList<ServiceNowTicket>> FindAllByCorrelationIdAsync(string table, string correlationId, CancellationToken cancellationToken) =>
        _reader.FindAllByCorrelationIdAsync(table, correlationId, cancellationToken);

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
        var records = await _session.ListAsync<ServiceNowUserRecord>("sys_user", query, cancellationToken).ConfigureAwait(false);
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
        var records = await _session.ListAsync<ServiceNowGroupRecord>("sys_user_group", query, cancellationToken).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Created ServiceNow ticket {Number} ({SysId}) in {Table} for integration {IntegrationId}")]
    private static partial void LogTicketCreated(ILogger logger, string integrationId, string table, string number, string sysId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Updated ServiceNow ticket {Number} in {Table} for integration {IntegrationId}: {Fields}")]
    private static partial void LogTicketUpdated(ILogger logger, string integrationId, string table, string number, IEnumerable<string> fields);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A create in {Table} for integration {IntegrationId} had an unknown outcome (attempt {Attempt}); adopted existing ticket {Number}")]
    private static partial void LogTicketAdopted(ILogger logger, string integrationId, string table, string number, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A create in {Table} for integration {IntegrationId} had an unknown outcome (attempt {Attempt}); no ticket with its correlation id exists")]
    private static partial void LogCreateNotFound(ILogger logger, string integrationId, string table, int attempt);
}
