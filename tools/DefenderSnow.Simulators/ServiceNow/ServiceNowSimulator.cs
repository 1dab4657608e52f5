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
public sealed class ServiceNowSimulator : IAsyncDisposable
{
    private readonly SimDatabase _database;
    private readonly SimOAuthServer _oauth;
    private readonly SimAccessControl _access = new();
    private readonly SimRequestLog _requests = new();
    private readonly SimLateCommits _lateCommits = new();
    private SimulatorHost? _host;
    private SimTableApi? _tables;

    private ServiceNowSimulator(ServiceNowSimulatorOptions options)
    {
        Options = options;
        _database = new SimDatabase(options.TimeProvider);
        _oauth = new SimOAuthServer(_database, options);
    }

    public ServiceNowSimulatorOptions Options { get; }

    /// <summary>The instance URL, for example <c>https://127.0.0.1:51234/</c>.</summary>
    public Uri BaseUri => _host?.BaseUri ?? throw new InvalidOperationException("The simulator has not started.");

    public ServiceNowSimulatorFaults Faults { get; } = new();

    public static async Task<ServiceNowSimulator> StartAsync(ServiceNowSimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var simulator = new ServiceNowSimulator(options ?? new ServiceNowSimulatorOptions());
        if (simulator.Options.SeedLocalDefaults)
        {
            simulator.SeedLocalDefaults();
        }

        simulator._host = await SimulatorHost.StartAsync(_ => { }, simulator.Map, simulator.Options.Port, cancellationToken);
        return simulator;
    }

    /// <summary>A handler that trusts this simulator's certificate (and no other unusual one).</summary>
    public HttpMessageHandler CreateHandler()
    {
        var expected = SimulatorCertificate.Instance.Thumbprint;
        return new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == expected };
    }

    public HttpClient CreateTrustingClient() => new(CreateHandler()) { BaseAddress = BaseUri };

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

    /// <summary>Activates or deactivates a user, as an administrator would.</summary>
    public void SetUserActive(string userName, bool active) =>
        _database.Update("sys_user", RequireUser(userName), new Dictionary<string, string> { ["active"] = active ? "true" : "false" }, null);

    /// <summary>From now on <paramref name="userName"/> may not read <paramref name="table"/> (403 "User Not Authorized").</summary>
    public void DenyRead(string userName, string table) => _access.DenyRead(RequireUser(userName), table);

    public void AllowRead(string userName, string table) => _access.AllowRead(RequireUser(userName), table);

    /// <summary>Access and refresh tokens issued so far stop working.</summary>
    public void ExpireAllTokens()
    {
        _oauth.ExpireAccessTokens();
        _oauth.ExpireRefreshTokens();
    }

    public void ExpireAccessTokens() => _oauth.ExpireAccessTokens();

    public void ExpireRefreshTokens() => _oauth.ExpireRefreshTokens();

    // ---- Records, and acting as a ServiceNow user -----------------------------------------------------

    /// <summary>Every record of <paramref name="table"/>, raw values (references as sys_ids).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> ListRecords(string table) => _database.All(RequireTable(table));

    public IReadOnlyList<IReadOnlyDictionary<string, string>> ListTickets(string table) => ListRecords(table);

    public IReadOnlyDictionary<string, string>? GetRecord(string table, string sysId) => _database.Get(RequireTable(table), sysId);

    /// <summary>Opens a ticket as <paramref name="asUser"/> would in the UI (data policy applies).</summary>
    public IReadOnlyDictionary<string, string> CreateTicket(string table, IReadOnlyDictionary<string, string> fields, string? asUser = null) =>
        _database.Insert(RequireTable(table), fields, asUser is null ? null : RequireUser(asUser));

    /// <summary>Changes a ticket as <paramref name="asUser"/> would; throws <see cref="ServiceNowSimulatorRefusedException"/> as the instance would refuse.</summary>
    public IReadOnlyDictionary<string, string> UpdateTicket(string table, string sysId, IReadOnlyDictionary<string, string> fields, string? asUser = null) =>
        _database.Update(RequireTable(table), sysId, fields, asUser is null ? null : RequireUser(asUser))
        ?? throw new ServiceNowSimulatorRefusedException(404, "No Record found", $"No {table} record with sys_id {sysId}");

    public IReadOnlyDictionary<string, string> Resolve(string table, string sysId, string closeCode = "Solved (Permanently)", string closeNotes = "Resolved in the simulator", string? asUser = null) =>
        UpdateTicket(table, sysId, CloseFields(table, table switch { "incident" => "6", "problem" => "106", _ => "3" }, closeCode, closeNotes), asUser);

    public IReadOnlyDictionary<string, string> Close(string table, string sysId, string closeCode = "Solved (Permanently)", string closeNotes = "Closed in the simulator", string? asUser = null) =>
        UpdateTicket(table, sysId, CloseFields(table, table switch { "incident" => "7", "problem" => "107", _ => "3" }, closeCode, closeNotes), asUser);

    /// <summary>Cancels an incident or change (problem has no Canceled state).</summary>
    public IReadOnlyDictionary<string, string> Cancel(string table, string sysId, string? asUser = null) =>
        UpdateTicket(table, sysId, new Dictionary<string, string>
        {
            ["state"] = table switch
            {
                "incident" => "8",
                "change_request" => "4",
                _ => throw new ArgumentException($"{table} has no Canceled state.", nameof(table)),
            },
        }, asUser);

    public IReadOnlyDictionary<string, string> Reassign(string table, string sysId, string assigneeUserName, string? asUser = null) =>
        UpdateTicket(table, sysId, new Dictionary<string, string> { ["assigned_to"] = RequireUser(assigneeUserName) }, asUser);

    public bool Delete(string table, string sysId) => _database.Delete(RequireTable(table), sysId);

    /// <summary>The work notes and comments written to a record, oldest first.</summary>
    public IReadOnlyList<ServiceNowJournalEntry> JournalOf(string table, string sysId) => _database.Journal.Of(RequireTable(table), sysId);

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
    }

    private static Dictionary<string, string> CloseFields(string table, string state, string closeCode, string closeNotes) => table == "problem"
        ? new() { ["state"] = state, ["resolution_code"] = closeCode, ["fix_notes"] = closeNotes }
        : new() { ["state"] = state, ["close_code"] = closeCode, ["close_notes"] = closeNotes };

    private static string RequireTable(string table) =>
        SimTables.All.ContainsKey(table) ? table : throw new ArgumentException($"Invalid table {table}", nameof(table));

    private string RequireUser(string userNameOrSysId) =>
        _database.FindUser(userNameOrSysId)?["sys_id"] ?? throw new ArgumentException($"No sys_user '{userNameOrSysId}'.", nameof(userNameOrSysId));

    private void SeedLocalDefaults()
    {
        RegisterOAuthClient("local-client", "local-secret");
        SeedUser(new ServiceNowSimulatorUser("svc-defender", "svc-defender@contoso.example", "DefenderSnow Service", Password: "local-password"));
        SeedUser(new ServiceNowSimulatorUser("alice", "alice@contoso.example", "Alice Owner"));
        SeedUser(new ServiceNowSimulatorUser("bob", "bob@contoso.example", "Bob Caller"));
        SeedGroup("Security Operations");
    }

    // ---- HTTP -----------------------------------------------------------------------------------------

    private void Map(WebApplication app)
    {
        _tables = new SimTableApi(_database, _oauth, _access, () => BaseUri);
        app.MapPost("/oauth_token.do", HandleTokenRequestAsync);
        app.MapMethods("/api/now/table/{table}", ["GET", "POST"], HandleTableRequestAsync);
        app.MapMethods("/api/now/table/{table}/{sysId}", ["GET", "PUT", "PATCH", "DELETE"], HandleTableRequestAsync);
        ServiceNowSimulatorControlEndpoints.Map(app, this);
    }

    private Task HandleTokenRequestAsync(HttpContext context) => RunAsync(context, "POST /oauth_token.do", TokenAsync);

    private Task HandleTableRequestAsync(HttpContext context)
    {
        var table = (string)context.Request.RouteValues["table"]!;
        var sysId = context.Request.RouteValues["sysId"] as string;
        var endpoint = $"{context.Request.Method} /api/now/table/{table}" + (sysId is null ? string.Empty : "/{sys_id}");
        if (Faults.CommitLate(endpoint))
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
        var (delay, fault) = Faults.Before(endpoint);
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up; as on a real instance, the work it asked for is not done.
                return;
            }
        }

        var response = fault?.Kind switch
        {
            ServiceNowSimulatorFaults.Kind.RateLimit => RateLimited(fault.RetryAfterSeconds),
            ServiceNowSimulatorFaults.Kind.Fail => SimResponse.Error(fault.StatusCode, "Internal server error", "Injected fault"),
            ServiceNowSimulatorFaults.Kind.Unauthorized => endpoint.Contains("/oauth_token.do", StringComparison.Ordinal) ? SimResponse.AccessDenied() : SimResponse.NotAuthenticated(),
            _ => await handle(context),
        };
        if (fault is null && Faults.FailAfterCommit(endpoint))
        {
            response = SimResponse.Error(500, "Internal server error", "Injected fault after the work was done");
        }

        await WriteAsync(context, response);
        if (afterAnswer is not null)
        {
            await afterAnswer();
        }
    }

    private SimResponse RateLimited(int retryAfterSeconds)
    {
        var reset = Options.TimeProvider.GetUtcNow().AddSeconds(retryAfterSeconds).ToUnixTimeSeconds();
        var response = SimResponse.Error(429, "Rate limit exceeded", $"The rate limit for this user has been exceeded; retry after {retryAfterSeconds} seconds.");
        return response with
        {
            Headers = new Dictionary<string, string>
            {
                ["Retry-After"] = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["X-RateLimit-Limit"] = "100",
                ["X-RateLimit-Reset"] = reset.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
    }

    private async Task<SimResponse> TokenAsync(HttpContext context)
    {
        // Only a form body counts: JSON is refused, and parameters in the query string are ignored.
        if (context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
        {
            return SimResponse.AccessDenied();
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
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

    internal JsonObject Describe(IReadOnlyDictionary<string, string> record) =>
        new(record.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));
}
