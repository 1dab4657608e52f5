namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// ServiceNow operations for one integration. Tokens, renewal, retries and query safety are handled inside.
/// Errors: <see cref="ServiceNowRejectedException"/> (ServiceNow refused), <see cref="ServiceNowUnreachableException"/>
/// (not reachable, or kept failing), <see cref="Errors.ValidationException"/> (a value that cannot be sent safely).
/// </summary>
public interface IServiceNowClient
{
    ServiceNowConnection Connection { get; }

    /// <summary>
    /// Opens a ticket with <c>correlation_id</c> = <see cref="ServiceNowTicketRequest.CorrelationId"/>. A create is never
    /// blindly repeated: when its outcome is unknown (5xx, timeout, lost connection) the ticket is looked up by its
    /// correlation id and adopted if it exists; only when it does not is the create sent again.
    /// </summary>
    Task<ServiceNowTicket> CreateTicketAsync(ServiceNowTicketRequest request, CancellationToken cancellationToken);

    /// <summary>Reads tickets by sys_id in chunks of <c>sys_id IN (…)</c>; tickets that no longer exist are simply absent.</summary>
    Task<IReadOnlyList<ServiceNowTicket>> GetTicketsAsync(string table, IEnumerable<string> sysIds, CancellationToken cancellationToken);

    /// <summary>
    /// Reads one ticket by sys_id (<c>GET /api/now/table/{table}/{sys_id}</c>), for a ticket a bulk read did not return:
    /// a list read leaves out what ACLs hide without a word, so absence there proves nothing. 404 is
    /// <see cref="ServiceNowTicketPresence.Gone"/>; 403 or a record without its fields is
    /// <see cref="ServiceNowTicketPresence.Unreadable"/>. One request; any other refusal throws as every read does.
    /// </summary>
    Task<ServiceNowTicketConfirmation> ConfirmTicketAsync(string table, string sysId, CancellationToken cancellationToken);

    /// <summary>
    /// One page of our tickets (<c>correlation_display</c> = <see cref="ServiceNowTicketTables.CorrelationDisplay"/>) in
    /// <paramref name="table"/> changed at or after <paramref name="cursor"/>, oldest first, without the ones the cursor
    /// has already seen. One request per page, paged by keyset in (<c>sys_updated_on</c>, <c>sys_id</c>) order; with
    /// nothing changed, one request in all. The bound is written as the connection's <see cref="ServiceNowConnection.QueryDates"/>
    /// say the instance reads it, never later than the cursor.
    /// </summary>
    Task<ServiceNowChangePage> GetChangedTicketsAsync(string table, ServiceNowChangeCursor cursor, CancellationToken cancellationToken);

    /// <summary>
    /// Measures again how the instance reads the dates of this user's queries (<see cref="ServiceNowQueryDateProbe"/>): the
    /// user's own record, <c>glide.sys.default.tz</c> when the user has no zone, and one look-up by creation time.
    /// </summary>
    Task<ServiceNowQueryDates> MeasureQueryDatesAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// The configuration items (<c>cmdb_ci</c> sys_ids) whose <c>object_id</c> is one of <paramref name="objectIds"/> (Azure
    /// resource ids, compared ignoring case), keyed by id ignoring case; an id without a CI is absent. One request per
    /// <c>ConfigurationItemChunkSize</c> ids.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> FindConfigurationItemsAsync(IReadOnlyCollection<string> objectIds, CancellationToken cancellationToken);

    /// <summary>The ticket with this correlation id (the oldest, should ServiceNow hold several), or <c>null</c>.</summary>
    Task<ServiceNowTicket?> FindByCorrelationIdAsync(string table, string correlationId, CancellationToken cancellationToken);

    /// <summary>
    /// Every ticket carrying this correlation id, oldest first (creation time, then number), so that all callers agree
    /// on which one is the original. ServiceNow does not keep correlation ids unique: a create that outlived its caller
    /// can leave two.
    /// </summary>
    Task<IReadOnlyList<ServiceNowTicket>> FindAllByCorrelationIdAsync(string table, string correlationId, CancellationToken cancellationToken);

    /// <summary>
    /// Changes fields of a ticket (PATCH). <paramref name="fields"/> follow the rules of <see cref="ServiceNowTicketRequest.Fields"/>;
    /// <c>work_notes</c> appends a work note. Never repeated on an unknown outcome: a work note would be written twice.
    /// </summary>
    Task<ServiceNowTicket> UpdateTicketAsync(string table, string sysId, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken);

    /// <summary>Appends a work note (visible to ServiceNow users, not to the caller) to a ticket.</summary>
    Task AddWorkNoteAsync(string table, string sysId, string note, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels a ticket (its table's cancel state, see <see cref="ServiceNowTicketTable.CancelFields"/>) with
    /// <paramref name="note"/> in its work notes, and in the notes field a cancel needs where the table has one (problem's fix notes).
    /// </summary>
    Task<ServiceNowTicket> CancelTicketAsync(string table, string sysId, string note, CancellationToken cancellationToken);

    /// <summary>
    /// Reopens a resolved ticket: its table's reopen state (<see cref="ServiceNowTicketTable.ReopenFields"/>, from the
    /// integration's mapping) with a work note. A table without one (change request) is a <see cref="Errors.ValidationException"/>.
    /// </summary>
    Task<ServiceNowTicket> ReopenTicketAsync(string table, string sysId, string note, CancellationToken cancellationToken);

    /// <summary>
    /// Reads what the instance offers on <paramref name="tables"/> (<see cref="Instance.ServiceNowSchemaReader"/>); what
    /// the user may not read is a warning in the answer, never a failure.
    /// </summary>
    Task<Instance.ServiceNowInstanceSchema> ReadInstanceAsync(
        IReadOnlyList<string> tables, IReadOnlyDictionary<string, IReadOnlyList<string>>? knownLineages, CancellationToken cancellationToken);

    /// <summary>
    /// The one active user whose e-mail or user name is <paramref name="emailOrUserName"/>. None, or several, is a
    /// <see cref="Errors.ValidationException"/> naming <paramref name="field"/>. An answer is remembered per connection
    /// for <see cref="ServiceNowUserCache.Lifetime"/>; a refusal is not.
    /// </summary>
    Task<ServiceNowUser> ResolveUserAsync(string emailOrUserName, string field, CancellationToken cancellationToken);

    /// <summary>
    /// The one active group whose name or sys_id is <paramref name="nameOrSysId"/>. None, or several, is a
    /// <see cref="Errors.ValidationException"/> naming <paramref name="field"/>.
    /// </summary>
    Task<ServiceNowGroup> ResolveGroupAsync(string nameOrSysId, string field, CancellationToken cancellationToken);
}
