using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.ServiceNow;

/// <summary><c>/api/now/table/{table}[/{sys_id}]</c>, strict where ServiceNow is strict and lenient where it is lenient.</summary>
internal sealed partial class SimTableApi
{
    private const int DefaultLimit = 10000;
    private readonly SimDatabase _database;
    private readonly SimOAuthServer _oauth;
    private readonly SimAccessControl _access;
    private readonly Func<Uri> _baseUri;
    private readonly Func<ServiceNowQueryDateReading> _queryDates;

    public SimTableApi(SimDatabase database, SimOAuthServer oauth, SimAccessControl access, Func<Uri> baseUri, Func<ServiceNowQueryDateReading> queryDates)
    {
        _queryDates = queryDates;
        _database = database;
        _oauth = oauth;
        _access = access;
        _baseUri = baseUri;
    }

    public async Task<SimResponse> HandleAsync(HttpContext context, string table, string? sysId)
    {
        var user = _oauth.Authenticate(context.Request.Headers.Authorization.ToString());
        if (user is null)
        {
            return SimResponse.NotAuthenticated();
        }

        if (!SimTables.All.ContainsKey(table) || table == "task")
        {
            return SimResponse.Error(400, $"Invalid table {table}", null);
        }

        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) && !_access.Can(user, table, ServiceNowTableOperation.Read))
        {
            return SimResponse.Error(403, "User Not Authorized", "Failed API level ACL Validation");
        }

        // Table ACLs for create, write and delete are checked before the body is read (KB0727016: "ACL Exception Insert
        // Failed due to security constraints" / "Update Failed" / "Delete Failed").
        if (HttpMethods.IsPost(method) && !_access.Can(user, table, ServiceNowTableOperation.Create))
        {
            return SimResponse.Error(403, "Operation Failed", "ACL Exception Insert Failed due to security constraints");
        }

        if ((HttpMethods.IsPatch(method) || HttpMethods.IsPut(method)) && !_access.Can(user, table, ServiceNowTableOperation.Write))
        {
            return SimResponse.Error(403, "Operation Failed", "ACL Exception Update Failed due to security constraints");
        }

        if (HttpMethods.IsDelete(method) && !_access.Can(user, table, ServiceNowTableOperation.Delete))
        {
            return SimResponse.Error(403, "Operation Failed", "ACL Exception Delete Failed due to security constraints");
        }

        try
        {
            return method switch
            {
                _ when HttpMethods.IsGet(method) && sysId is null => List(context, table, user),
                _ when HttpMethods.IsGet(method) => Get(context, table, sysId!, user),
                _ when HttpMethods.IsPost(method) && sysId is null => await CreateAsync(context, table, user),
                _ when (HttpMethods.IsPatch(method) || HttpMethods.IsPut(method)) && sysId is not null => await UpdateAsync(context, table, sysId, user),
                _ when HttpMethods.IsDelete(method) && sysId is not null => Delete(table, sysId),
                _ => SimResponse.Error(405, "Method not Supported", $"{method} is not supported for this resource"),
            };
        }
        catch (ServiceNowSimulatorRefusedException e)
        {
            return SimResponse.Error(e.StatusCode, e.ErrorMessage, e.Detail);
        }
    }

    private SimResponse List(HttpContext context, string table, string user)
    {
        var query = context.Request.Query;
        var limit = int.TryParse(query["sysparm_limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : DefaultLimit;
        var offset = int.TryParse(query["sysparm_offset"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var o) && o > 0 ? o : 0;
        var (page, total) = _database.Query(table, query["sysparm_query"], offset, limit, _database.QueryZoneOf(user, _queryDates()), _access.HiddenRows(user, table));
        var result = new JsonArray(page.Select(r => (JsonNode)Render(context, table, r)).ToArray());
        var headers = new Dictionary<string, string>
        {
            ["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture),
            ["Link"] = Links(context, table, offset, limit, total),
        };
        return SimResponse.Result(200, result, headers);
    }

    private SimResponse Get(HttpContext context, string table, string sysId, string user)
    {
        if (_database.Get(table, sysId) is not { } record)
        {
            return SimResponse.Error(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval");
        }

        if (_access.HiddenRows(user, table) is not { } hidden || !_database.Matches(table, record, hidden))
        {
            return SimResponse.Result(200, Render(context, table, record));
        }

        return _access.SingleReadAnswer(user, table) switch
        {
            ServiceNowHiddenRecordAnswer.Forbidden => SimResponse.Error(403, "User Not Authorized", "Failed API level ACL Validation"),
            ServiceNowHiddenRecordAnswer.EmptyFields => SimResponse.Result(200, Render(context, table, record.ToDictionary(f => f.Key, _ => string.Empty))),
            ServiceNowHiddenRecordAnswer.NotFound => SimResponse.Error(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval"),
            var answer => throw new InvalidOperationException($"No single-read answer {answer}."),
        };
    }

    private async Task<SimResponse> CreateAsync(HttpContext context, string table, string user)
    {
        var (values, error) = await ReadBodyAsync(context);
        if (error is not null)
        {
            return error;
        }

        var record = _database.Insert(table, values!, user);
        var location = new Uri(_baseUri(), $"api/now/table/{table}/{record["sys_id"]}").ToString();
        return SimResponse.Result(201, Render(context, table, record), new Dictionary<string, string> { ["Location"] = location });
    }

    private async Task<SimResponse> UpdateAsync(HttpContext context, string table, string sysId, string user)
    {
        var (values, error) = await ReadBodyAsync(context);
        if (error is not null)
        {
            return error;
        }

        return _database.Update(table, sysId, values!, user) is { } record
            ? SimResponse.Result(200, Render(context, table, record))
            : SimResponse.Error(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval");
    }

    private SimResponse Delete(string table, string sysId) =>
        _database.Delete(table, sysId)
            ? new SimResponse(204, null)
            : SimResponse.Error(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval");

    private JsonObject Render(HttpContext context, string table, Dictionary<string, string> record)
    {
        var query = context.Request.Query;
        var fields = query["sysparm_fields"].ToString() is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null;
        var display = query["sysparm_display_value"].ToString().ToLowerInvariant() switch
        {
            "true" => "true",
            "all" => "all",
            _ => "false",
        };
        var excludeLinks = string.Equals(query["sysparm_exclude_reference_link"], "true", StringComparison.OrdinalIgnoreCase);
        return _database.Render(table, record, fields, display, excludeLinks, _baseUri());
    }

    private static async Task<(Dictionary<string, string>? Values, SimResponse? Error)> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return (null, SimResponse.Error(415, "Unsupported Media Type", $"Content-Type '{context.Request.ContentType}' is not supported; send application/json"));
        }

        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return (null, SimResponse.Error(400, "Exception while reading request", "The payload is not valid JSON."));
        }

        if (body is not JsonObject fields)
        {
            return (null, SimResponse.Error(400, "Exception while reading request", "The payload is not a JSON object."));
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in fields)
        {
            values[name] = node switch
            {
                null => string.Empty,
                JsonObject reference when reference["value"] is JsonValue value => value.ToString(),
                JsonValue value when value.TryGetValue<string>(out var text) => text,
                _ => node.ToJsonString(),
            };
        }

        return (values, null);
    }

    private string Links(HttpContext context, string table, int offset, int limit, int total)
    {
        var links = new List<string>();
        var lastOffset = total == 0 ? 0 : (total - 1) / limit * limit;
        links.Add(Link(context, table, 0, limit, "first"));
        if (offset > 0)
        {
            links.Add(Link(context, table, Math.Max(0, offset - limit), limit, "prev"));
        }

        if (offset + limit < total)
        {
            links.Add(Link(context, table, offset + limit, limit, "next"));
        }

        links.Add(Link(context, table, lastOffset, limit, "last"));
        return string.Join(',', links);
    }

    private string Link(HttpContext context, string table, int offset, int limit, string rel)
    {
        var query = new StringBuilder();
        foreach (var (key, value) in context.Request.Query.Where(p => p.Key is not ("sysparm_offset" or "sysparm_limit")))
        {
            query.Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value.ToString())).Append('&');
        }

        query.Append("sysparm_offset=").Append(offset).Append("&sysparm_limit=").Append(limit);
        return $"<{new Uri(_baseUri(), $"api/now/table/{table}")}?{query}>;rel=\"{rel}\"";
    }
}
