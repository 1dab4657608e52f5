using System.Text.Json.Nodes;
using DefenderSnow.Simulators.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// A strict local ServiceNow instance: OAuth (<c>/oauth_token.do</c>), the Table API for incident, problem,
/// change_request, sys_user and sys_user_group, and a control surface (in-process here, over HTTP under
/// <c>/_sim/servicenow</c>) to seed data, act as a ServiceNow user, count requests and inject faults.
/// </summary>
public sealed partial class ServiceNowSimulator : IAsyncDisposable
{
    private readonly SimDatabase _database;
    private readonly SimOAuthServer _oauth;
    private readonly SimAccessControl _access = new();
    private readonly SimRequestLog _requests = new();
    private readonly SimLateCommits _lateCommits = new();
    private readonly SimTicketEvents _ticketEvents;
    private SimulatorHost? _host;
    private SimTableApi? _tables;
    private volatile ServiceNowOutage _outage;
    private volatile ServiceNowQueryDateReading _queryDateReading;

    private ServiceNowSimulator(ServiceNowSimulatorOptions options)
    {
        Options = options;
        _database = new SimDatabase(options.TimeProvider);
        _oauth = new SimOAuthServer(_database, options);
        _ticketEvents = new SimTicketEvents(options.TimeProvider, options.TicketEventsUrl, options.TicketEventsSecret);
        _database.AfterUpdate = _ticketEvents.Updated;
        _queryDateReading = options.QueryDateReading;
        if (options.SystemTimeZone is not null)
        {
            SetSystemTimeZone(options.SystemTimeZone);
        }
    }

    public ServiceNowSimulatorOptions Options { get; }

    /// <summary>The instance URL, for example <c>https://127.0.0.1:51234/</c>.</summary>
    public Uri BaseUri => _host?.BaseUri ?? throw new InvalidOperationException("The simulator has not started.");

    /// <summary>Injected faults; endpoints are named <c>"METHOD /path"</c>, for example <c>"POST /api/now/table/incident"</c>.</summary>
    public SimulatorFaults Faults { get; } = new();

    public static async Task<ServiceNowSimulator> StartAsync(ServiceNowSimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var simulator = new ServiceNowSimulator(options ?? new ServiceNowSimulatorOptions());
        simulator._host = await SimulatorHost.StartAsync(
            "servicenow",
            simulator.Options,
            simulator.Faults,
            control => ServiceNowSimulatorControlEndpoints.Map(control, simulator),
            simulator.MapService,
            cancellationToken: cancellationToken);
        return simulator;
    }

    /// <summary>
    /// Whether the instance is down for maintenance (503) or hibernating (200), answering every API request with an
    /// HTML page instead of JSON, as real instances do.
    /// </summary>
    public ServiceNowOutage Outage
    {
        get => _outage;
        set => _outage = value;
    }

    /// <summary>A handler that trusts this simulator's certificate (and no other unusual one).</summary>
    public HttpMessageHandler CreateHandler() => SimulatorHost.CreateTrustingHandler();

    public HttpClient CreateTrustingClient() => Host.CreateTrustingClient();

    private SimulatorHost Host => _host ?? throw new InvalidOperationException("The simulator has not started.");

    // ---- OAuth and users -------------------------------------------------------------------------------

    public void RegisterOAuthClient(string clientId, string clientSecret) => _oauth.RegisterClient(clientId, clientSecret);

    /// <summary>Adds a <c>sys_user</c>; returns its sys_id.</summary>
    public string SeedUser(ServiceNowSimulatorUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var record = _database.Insert("sys_user", new Dictionary<string, string>
        {
            ["user_name"] = user.UserName,
            ["email"] = user.Email ?? string.Empty,
            ["name"] = user.Name ?? user.UserName,
            ["active"] = user.Active ? "true" : "false",
            ["time_zone"] = user.TimeZone is null ? string.Empty : TimeZoneInfo.FindSystemTimeZoneById(user.TimeZone).Id,
        }, actingUserSysId: null);
        if (user.Password is not null)
        {
            _oauth.SetPassword(record["sys_id"], user.Password);
        }

        return record["sys_id"];
    }

    /// <summary>Adds a <c>sys_user_group</c>; returns its sys_id.</summary>
    public string SeedGroup(string name, bool active = true) =>
        _database.Insert("sys_user_group", new Dictionary<string, string> { ["name"] = name, ["active"] = active ? "true" : "false" }, null)["sys_id"];

    /// <summary>Sets a user's <c>sys_user.time_zone</c> as written (any text, as an administrator could); <c>null</c> clears it.</summary>
    public void SetTimeZone(string userName, string? timeZone) =>
        _database.Update("sys_user", RequireUser(userName), new Dictionary<string, string> { ["time_zone"] = timeZone ?? string.Empty }, null);

    /// <summary>How plain dates in encoded queries are read from now on (<see cref="ServiceNowQueryDateReading"/>).</summary>
    public ServiceNowQueryDateReading QueryDateReading
    {
        get => _queryDateReading;
        set => _queryDateReading = value;
    }

    /// <summary>
    /// Sets the system time zone, the <c>sys_properties</c> record <c>glide.sys.default.tz</c>, as written; <c>null</c> or
    /// empty leaves it empty (UTC here; a real instance then takes its JVM's zone). Deny the service user a read of
    /// <c>sys_properties</c> to hide it, as real instances do from non-administrators.
    /// </summary>
    public void SetSystemTimeZone(string? timeZone)
    {
        var existing = _database.All("sys_properties").FirstOrDefault(p => p["name"] == "glide.sys.default.tz");
        var values = new Dictionary<string, string> { ["name"] = "glide.sys.default.tz", ["value"] = timeZone ?? string.Empty, ["type"] = "timezone" };
        if (existing is null)
        {
            _database.Insert("sys_properties", values, actingUserSysId: null);
        }
        else
        {
            _database.Update("sys_properties", existing["sys_id"], values, null);
        }
    }

    /// <summary>Activates or deactivates a user, as an administrator would.</summary>
    public void SetUserActive(string userName, bool active) =>
        _database.Update("sys_user", RequireUser(userName), new Dictionary<string, string> { ["active"] = active ? "true" : "false" }, null);

    /// <summary>
    /// From now on <paramref name="userName"/> may not <paramref name="operation"/> <paramref name="table"/>: a read is
    /// answered 403 "User Not Authorized", a create or write 403 "Operation Failed" (ACL Exception).
    /// </summary>
    public void Deny(string userName, string table, ServiceNowTableOperation operation) => _access.Deny(RequireUser(userName), RequireTable(table), operation);

    public void Allow(string userName, string table, ServiceNowTableOperation operation) => _access.Allow(RequireUser(userName), RequireTable(table), operation);

    /// <summary>
    /// A row-level read ACL: records of <paramref name="table"/> matching the encoded <paramref name="query"/> are invisible
    /// to <paramref name="userName"/>. As on a real instance they are taken out after the page is cut, so pages come back
    /// short (or empty) while <c>Link</c> still names a next page. A read of one of them by sys_id is answered as
    /// <paramref name="singleRead"/> says (403 by default). <c>null</c> removes the rule.
    /// </summary>
    public void HideRows(string userName, string table, string? query, ServiceNowHiddenRecordAnswer singleRead = ServiceNowHiddenRecordAnswer.Forbidden) =>
        _access.HideRows(RequireUser(userName), RequireTable(table), query, singleRead);

    /// <summary>Access and refresh tokens issued so far stop working.</summary>
    public void ExpireAllTokens()
    {
        _oauth.ExpireAccessTokens();
        _oauth.ExpireRefreshTokens();
    }

    public void ExpireAccessTokens() => _oauth.ExpireAccessTokens();

    /// <summary>Lifespans and refresh-token rotation of tokens issued from now on (as an administrator edits the OAuth application).</summary>
    public ServiceNowTokenSettings TokenSettings => _oauth.Settings;

    /// <summary>Changes lifespans and rotation for tokens issued from now on; tokens already issued keep theirs.</summary>
    public void SetTokenSettings(ServiceNowTokenSettings settings) => _oauth.Settings = settings;

    public void ExpireRefreshTokens() => _oauth.ExpireRefreshTokens();

    // ---- Records, and acting as a ServiceNow user -----------------------------------------------------

    /// <summary>Every record of <paramref name="table"/>, raw values (references as sys_ids).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> ListRecords(string table) => _database.All(RequireTable(table));

    public IReadOnlyList<IReadOnlyDictionary<string, string>> ListTickets(string table) => ListRecords(table);

    public IReadOnlyDictionary<string, string>? GetRecord(string table, string sysId) => _database.Get(RequireTable(table), sysId);

    /// <summary>
    /// Opens a ticket as <paramref name="asUser"/> would in the UI (data policy applies); <c>sys_created_by</c> is that
    /// user's user name, or <c>admin</c> without one.
    /// </summary>
    public IReadOnlyDictionary<string, string> CreateTicket(string table, IReadOnlyDictionary<string, string> fields, string? asUser = null) =>
        _database.Insert(RequireTable(table), fields, asUser is null ? null : RequireUser(asUser));

    /// <summary>
    /// Opens a ticket whose insert began <paramref name="ago"/> and commits only now, as a create whose caller gave up
    /// does: ServiceNow stamps <c>sys_created_on</c> when the insert begins, so the ticket lands older than those
    /// committed while it ran.
    /// </summary>
    public IReadOnlyDictionary<string, string> CreateTicketBegunAgo(string table, IReadOnlyDictionary<string, string> fields, TimeSpan ago, string? asUser = null) =>
        _database.Insert(RequireTable(table), fields, asUser is null ? null : RequireUser(asUser), begunAt: _database.Clock - ago);

    /// <summary>Changes a ticket as <paramref name="asUser"/> would; throws <see cref="ServiceNowSimulatorRefusedException"/> as the instance would refuse.</summary>
    public IReadOnlyDictionary<string, string> UpdateTicket(string table, string sysId, IReadOnlyDictionary<string, string> fields, string? asUser = null) =>
        _database.Update(RequireTable(table), sysId, fields, asUser is null ? null : RequireUser(asUser))
        ?? throw new ServiceNowSimulatorRefusedException(404, "No Record found", $"No {table} record with sys_id {sysId}");

    /// <summary>
    /// Moves a ticket to <paramref name="state"/> along the shortest way its state model allows, one step at a time as a
    /// person would in the UI; <paramref name="fields"/> go with the last step. Throws as the instance would refuse.
    /// </summary>
    public IReadOnlyDictionary<string, string> MoveTo(string table, string sysId, string state, IReadOnlyDictionary<string, string>? fields = null, string? asUser = null)
    {
        var current = GetRecord(table, sysId)?["state"] ?? throw new ServiceNowSimulatorRefusedException(404, "No Record found", $"No {table} record with sys_id {sysId}");
        var path = _database.PathBetweenStates(table, current, state);
        var record = fields is null || path.Count > 0 ? GetRecord(table, sysId)! : UpdateTicket(table, sysId, fields, asUser);
        for (var i = 0; i < path.Count; i++)
        {
            var values = i == path.Count - 1 && fields is not null ? new Dictionary<string, string>(fields) : [];
            values["state"] = path[i];
            record = UpdateTicket(table, sysId, values, asUser);
        }

        return record;
    }

    /// <summary>
    /// Whether state values a table does not list are refused (true, as the default state models do) or stored as
    /// sent, as on an instance whose customised state model checks nothing.
    /// </summary>
    public bool RefuseUnknownStates
    {
        get => _database.RefuseUnknownStates;
        set => _database.RefuseUnknownStates = value;
    }

    /// <summary>
    /// Replaces a ticket table's state model (state → the states it may move to), as an instance that customised it;
    /// updates that leave it are refused with 403.
    /// </summary>
    public void SetStateModel(string table, IReadOnlyDictionary<string, IReadOnlyList<string>> transitions) => _database.SetStateModel(RequireTable(table), transitions);

    /// <summary>
    /// Customises a table as an instance administrator would (renamed or renumbered states with their state model,
    /// removed or added close codes, mandatory fields, choices a business rule enforces); sys_choice, sys_dictionary and
    /// sys_db_object say so at once, and the ticket writes follow it.
    /// </summary>
    public void CustomizeTable(string table, Func<SimTableDefinition, SimTableDefinition> change) =>
        _database.Customize(RequireTable(table), t => change(new SimTableDefinition(t)).Table);

    public IReadOnlyDictionary<string, string> Resolve(string table, string sysId, string? closeCode = null, string closeNotes = "Resolved in the simulator", string? asUser = null) =>
        MoveTo(table, sysId, table switch { "incident" => "6", "problem" => "106", _ => "3" }, CloseFields(table, closeCode, closeNotes), asUser);

    public IReadOnlyDictionary<string, string> Close(string table, string sysId, string? closeCode = null, string closeNotes = "Closed in the simulator", string? asUser = null) =>
        MoveTo(table, sysId, table switch { "incident" => "7", "problem" => "107", _ => "3" }, CloseFields(table, closeCode, closeNotes), asUser);

    /// <summary>Cancels an incident or change (a problem is closed with resolution code <c>canceled</c> instead).</summary>
    public IReadOnlyDictionary<string, string> Cancel(string table, string sysId, string? asUser = null) =>
        table == "problem"
            ? MoveTo(table, sysId, "107", CloseFields(table, "canceled", "Canceled in the simulator"), asUser)
            : MoveTo(table, sysId, table switch
            {
                "incident" => "8",
                "change_request" => "4",
                _ => throw new ArgumentException($"{table} has no Canceled state.", nameof(table)),
            }, asUser: asUser);

    public IReadOnlyDictionary<string, string> Reassign(string table, string sysId, string assigneeUserName, string? asUser = null) =>
        UpdateTicket(table, sysId, new Dictionary<string, string> { ["assigned_to"] = RequireUser(assigneeUserName) }, asUser);

    public bool Delete(string table, string sysId) => _database.Delete(RequireTable(table), sysId);

    /// <summary>The work notes and comments written to a record, oldest first.</summary>
    public IReadOnlyList<ServiceNowJournalEntry> JournalOf(string table, string sysId) => _database.Journal.Of(RequireTable(table), sysId);

    // ---- Ticket events (the business rule of servicenow/) -------------------------------------------------

    /// <summary>From now on every update of one of our tickets is POSTed, signed with <paramref name="secret"/>, to <paramref name="url"/>; <c>null</c> stops it.</summary>
    public void SendTicketEventsTo(Uri? url, string? secret = null) => _ticketEvents.Configure(url, secret);

    /// <summary>
    /// Sends the events of tickets created by <paramref name="createdBy"/> to <paramref name="url"/>, as the business rule
    /// does with <c>defendersnow.ticket_events.routes</c> on an instance with several integrations; <c>null</c> removes the route.
    /// </summary>
    public void RouteTicketEvents(string createdBy, Uri? url, string? secret = null) => _ticketEvents.Route(createdBy, url, secret);

    /// <summary>Events the target answered with 2xx.</summary>
    public int TicketEventsSent => _ticketEvents.Sent;

    /// <summary>Events that were refused or could not be delivered (lost, as on a real instance).</summary>
    public int TicketEventsFailed => _ticketEvents.Failed;

    /// <summary>Where events go now, if anywhere.</summary>
    public Uri? TicketEventsUrl => _ticketEvents.Url;

    // ---- Requests -----------------------------------------------------------------------------------

    /// <summary>Requests to one endpoint, for example <c>"GET /api/now/table/incident"</c> or <c>"POST /oauth_token.do"</c>.</summary>
    public int RequestCount(string endpoint) => _requests.Get(endpoint);

    public IReadOnlyDictionary<string, int> RequestCounts => _requests.Endpoints;

    /// <summary>All API requests (control requests are not counted).</summary>
    public int TotalRequests => _requests.Total;

    /// <summary>Token requests of one grant type (<c>password</c>, <c>refresh_token</c>).</summary>
    public int TokenRequests(string grantType) => _requests.Grants(grantType);

    public void ResetRequestCounts() => _requests.Reset();

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _ticketEvents.Dispose();
    }

    private static Dictionary<string, string> CloseFields(string table, string? closeCode, string closeNotes) => table == "problem"
        ? new() { ["resolution_code"] = closeCode ?? "fix_applied", ["fix_notes"] = closeNotes }
        : new() { ["close_code"] = closeCode ?? "Solved (Permanently)", ["close_notes"] = closeNotes };

    private static string RequireTable(string table) =>
        SimTables.All.ContainsKey(table) ? table : throw new ArgumentException($"Invalid table {table}", nameof(table));

    private string RequireUser(string userNameOrSysId) =>
        _database.FindUser(userNameOrSysId)?["sys_id"] ?? throw new ArgumentException($"No sys_user '{userNameOrSysId}'.", nameof(userNameOrSysId));

    // ---- HTTP -----------------------------------------------------------------------------------------

    private void MapService(WebApplication app)
    {
        _tables = new SimTableApi(_database, _oauth, _access, () => BaseUri, () => _queryDateReading);
        app.MapPost("/oauth_token.do", HandleTokenRequestAsync);
        MapTokenRevocation(app);
        app.MapMethods("/api/now/table/{table}", ["GET", "POST"], HandleTableRequestAsync);
        app.MapMethods("/api/now/table/{table}/{sysId}", ["GET", "PUT", "PATCH", "DELETE"], HandleTableRequestAsync);
    }

    private Task HandleTokenRequestAsync(HttpContext context) => RunAsync(context, "POST /oauth_token.do", TokenAsync);

    private Task HandleTableRequestAsync(HttpContext context)
    {
        var table = (string)context.Request.RouteValues["table"]!;
        var sysId = context.Request.RouteValues["sysId"] as string;
        var endpoint = $"{context.Request.Method} /api/now/table/{table}" + (sysId is null ? string.Empty : "/{sys_id}");
        // Only creates outlive their caller: ServiceNow finishes the insert transaction it began.
        if (HttpMethods.IsPost(context.Request.Method) && sysId is null && Faults.CommitLate(endpoint))
        {
            _requests.Count(endpoint);
            return HoldAndCommitLateAsync(context, table);
        }

        return RunAsync(context, endpoint, c => _tables!.HandleAsync(c, table, sysId), afterAnswer: HttpMethods.IsGet(context.Request.Method) ? () => _lateCommits.AfterReadAsync(table) : null);
    }

    /// <summary>
    /// Parks the create at once (so no later read can overtake it), then answers nothing until the caller leaves. The
    /// parked create is handled like any other when it commits; a refusal then simply leaves nothing, as a failed
    /// transaction does.
    /// </summary>
    private async Task HoldAndCommitLateAsync(HttpContext context, string table)
    {
        if (!_tables!.IsAuthenticated(context))
        {
            await WriteAsync(context, SimResponse.NotAuthenticated());
            return;
        }

        var replay = await SimTableApi.CaptureAsync(context);
        _lateCommits.Park(table, () => _tables.HandleAsync(replay(), table, sysId: null));
        try
        {
            // ServiceNow ends a transaction after about 60 s; a caller that waits longer gets the gateway's 504.
            await Task.Delay(TimeSpan.FromSeconds(60), context.RequestAborted);
            await WriteAsync(context, SimResponse.Error(504, "Gateway Timeout", "The transaction was cancelled after 60 seconds."));
        }
        catch (OperationCanceledException)
        {
            // The caller gave up; the create stays parked and commits after the next read of the table.
        }
    }

    private async Task RunAsync(HttpContext context, string endpoint, Func<HttpContext, Task<SimResponse>> handle, Func<Task>? afterAnswer = null)
    {
        _requests.Count(endpoint);
        await SimulatorPipeline.RunAsync(context, Faults, endpoint, WriteFaultAsync, async c =>
        {
            if (Outage != ServiceNowOutage.None)
            {
                await WriteOutageAsync(c, Outage);
                return;
            }

            await WriteAsync(c, await handle(c));
        });
        if (afterAnswer is not null)
        {
            await afterAnswer();
        }
    }

    // What an instance in maintenance (a 503 from the load balancer) or a hibernating developer instance (a 200
    // "Instance Hibernating page", developer.servicenow.com FAQ) sends instead of the API's JSON.
    private static Task WriteOutageAsync(HttpContext context, ServiceNowOutage outage)
    {
        context.Response.StatusCode = outage == ServiceNowOutage.Maintenance ? 503 : 200;
        context.Response.ContentType = "text/html;charset=UTF-8";
        var page = outage == ServiceNowOutage.Maintenance
            ? "<!DOCTYPE html><html><head><title>ServiceNow - Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>This instance is undergoing maintenance. Please try again later.</p></body></html>"
            : "<!DOCTYPE html><html><head><title>Instance Hibernating page</title></head><body><h1>Your instance is hibernating</h1><p>Sign in to the developer portal to wake it up.</p><a href=\"https://developer.servicenow.com\">developer.servicenow.com</a></body></html>";
        return context.Response.WriteAsync(page, context.RequestAborted);
    }

    private Task WriteFaultAsync(HttpContext context, SimulatorFault fault)
    {
        var response = fault.StatusCode switch
        {
            429 => RateLimited(fault.RetryAfter ?? TimeSpan.FromSeconds(1)),
            401 => context.Request.Path.StartsWithSegments("/oauth_token.do", StringComparison.Ordinal) ? SimResponse.AccessDenied() : SimResponse.NotAuthenticated(),
            403 => SimResponse.Error(403, "User Not Authorized", "Failed API level ACL Validation"),
            _ => SimResponse.Error(fault.StatusCode, "Internal server error", "Injected fault"),
        };
        if (fault.RetryAfter is { } retryAfter && fault.StatusCode != 429)
        {
            response = response with { Headers = new Dictionary<string, string> { ["Retry-After"] = Seconds(retryAfter) } };
        }

        return WriteAsync(context, response);
    }

    private SimResponse RateLimited(TimeSpan retryAfter)
    {
        var reset = Options.TimeProvider.GetUtcNow().Add(retryAfter).ToUnixTimeSeconds();
        var response = SimResponse.Error(429, "Rate limit exceeded", $"The rate limit for this user has been exceeded; retry after {Seconds(retryAfter)} seconds.");
        return response with
        {
            Headers = new Dictionary<string, string>
            {
                ["Retry-After"] = Seconds(retryAfter),
                ["X-RateLimit-Limit"] = "100",
                ["X-RateLimit-Reset"] = reset.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
    }

    private static string Seconds(TimeSpan value) => ((long)Math.Ceiling(value.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<SimResponse> TokenAsync(HttpContext context)
    {
        // Only a form body counts: JSON is refused, and parameters in the query string are ignored.
        if (context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
        {
            return SimResponse.AccessDenied();
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            // A %00 in a form value: ASP.NET refuses to decode it, the instance treats it as wrong credentials.
            return SimResponse.AccessDenied();
        }

        var values = form.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        _requests.CountGrant(values.GetValueOrDefault("grant_type") ?? string.Empty);
        return _oauth.Exchange(values) is { } answer ? new SimResponse(200, answer) : SimResponse.AccessDenied();
    }

    internal static async Task WriteAsync(HttpContext context, SimResponse response)
    {
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (response.Body is not null)
        {
            context.Response.ContentType = "application/json;charset=UTF-8";
            await context.Response.WriteAsync(response.Body.ToJsonString(), context.RequestAborted);
        }
    }
}
