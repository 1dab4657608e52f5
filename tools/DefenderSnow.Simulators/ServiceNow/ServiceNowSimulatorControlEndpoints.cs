using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// The control surface over HTTP, for local runs: <c>/_sim/servicenow/...</c>. Each route calls the in-process
/// control API of <see cref="ServiceNowSimulator"/>; bodies are small JSON objects (camelCase).
/// </summary>
internal static class ServiceNowSimulatorControlEndpoints
{
    public static void Map(RouteGroupBuilder control, ServiceNowSimulator simulator)
    {

        control.MapPost("/oauth-clients", context => Handle(context, body =>
        {
            simulator.RegisterOAuthClient(Required(body, "clientId"), Required(body, "clientSecret"));
            return new JsonObject();
        }));
        control.MapPost("/users", context => Handle(context, body => new JsonObject
        {
            ["sysId"] = simulator.SeedUser(new ServiceNowSimulatorUser(
                Required(body, "userName"),
                Optional(body, "email"),
                Optional(body, "name"),
                body["active"]?.GetValue<bool>() ?? true,
                Optional(body, "password"),
                Optional(body, "timeZone"))),
        }));
        control.MapPost("/groups", context => Handle(context, body => new JsonObject
        {
            ["sysId"] = simulator.SeedGroup(Required(body, "name"), body["active"]?.GetValue<bool>() ?? true),
        }));
        control.MapPost("/acl/deny", context => Handle(context, body =>
        {
            simulator.Deny(Required(body, "userName"), Required(body, "table"), Enum.Parse<ServiceNowTableOperation>(Required(body, "operation"), ignoreCase: true));
            return new JsonObject();
        }));
        control.MapPost("/acl/allow", context => Handle(context, body =>
        {
            simulator.Allow(Required(body, "userName"), Required(body, "table"), Enum.Parse<ServiceNowTableOperation>(Required(body, "operation"), ignoreCase: true));
            return new JsonObject();
        }));
        control.MapPost("/acl/hide-rows", context => Handle(context, body =>
        {
            simulator.HideRows(
                Required(body, "userName"),
                Required(body, "table"),
                Optional(body, "query"),
                Optional(body, "singleRead") is { } answer ? Enum.Parse<ServiceNowHiddenRecordAnswer>(answer, ignoreCase: true) : ServiceNowHiddenRecordAnswer.Forbidden);
            return new JsonObject();
        }));
        control.MapGet("/records/{table}", context => Handle(context, _ =>
            new JsonObject { ["value"] = new JsonArray(simulator.ListRecords(Route(context, "table")).Select(r => (JsonNode)Describe(r)).ToArray()) }));
        control.MapPost("/tickets/{table}", context => Handle(context, body =>
            Describe(simulator.CreateTicket(Route(context, "table"), Fields(body["fields"]), Optional(body, "asUser")))));
        control.MapPost("/tickets/{table}/{sysId}/{action}", context => Handle(context, body =>
        {
            var table = Route(context, "table");
            var sysId = Route(context, "sysId");
            var asUser = Optional(body, "asUser");
            var record = Route(context, "action") switch
            {
                "resolve" => simulator.Resolve(table, sysId, Optional(body, "closeCode"), Optional(body, "closeNotes") ?? "Resolved in the simulator", asUser),
                "close" => simulator.Close(table, sysId, Optional(body, "closeCode"), Optional(body, "closeNotes") ?? "Closed in the simulator", asUser),
                "move" => simulator.MoveTo(table, sysId, Required(body, "state"), body["fields"] is null ? null : Fields(body["fields"]), asUser),
                "cancel" => simulator.Cancel(table, sysId, asUser),
                "reassign" => simulator.Reassign(table, sysId, Required(body, "assignedTo"), asUser),
                "update" => simulator.UpdateTicket(table, sysId, Fields(body["fields"]), asUser),
                var other => throw new ArgumentException($"Unknown action '{other}' (resolve, close, cancel, move, reassign, update)."),
            };
            return Describe(record);
        }));
        control.MapDelete("/tickets/{table}/{sysId}", context => Handle(context, _ =>
            simulator.Delete(Route(context, "table"), Route(context, "sysId")) ? new JsonObject() : throw new KeyNotFoundException("No such ticket.")));
        control.MapGet("/requests", context => Handle(context, _ => new JsonObject
        {
            ["total"] = simulator.TotalRequests,
            ["endpoints"] = new JsonObject(simulator.RequestCounts.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["grants"] = new JsonObject
            {
                ["password"] = simulator.TokenRequests("password"),
                ["refresh_token"] = simulator.TokenRequests("refresh_token"),
            },
        }));
        control.MapDelete("/requests", context => Handle(context, _ =>
        {
            simulator.ResetRequestCounts();
            return new JsonObject();
        }));
        control.MapPut("/state-models/{table}", context => Handle(context, body =>
        {
            var transitions = body["transitions"] as JsonObject ?? throw new ArgumentException("'transitions' must be an object of state → array of states.");
            simulator.SetStateModel(Route(context, "table"), transitions.ToDictionary(
                t => t.Key,
                t => (IReadOnlyList<string>)[.. (t.Value as JsonArray ?? throw new ArgumentException($"'{t.Key}' must map to an array of states.")).Select(v => v!.GetValue<string>())]));
            return new JsonObject();
        }));
        control.MapPut("/ticket-events", context => Handle(context, body =>
        {
            // With "createdBy", a route as in defendersnow.ticket_events.routes; without, the one unrouted target.
            var url = new Uri(Required(body, "url"), UriKind.Absolute);
            if (body["createdBy"]?.GetValue<string>() is { Length: > 0 } createdBy)
            {
                simulator.RouteTicketEvents(createdBy, url, Required(body, "secret"));
            }
            else
            {
                simulator.SendTicketEventsTo(url, Required(body, "secret"));
            }

            return DescribeTicketEvents(simulator);
        }));
        control.MapDelete("/ticket-events", context => Handle(context, _ =>
        {
            simulator.SendTicketEventsTo(null);
            return DescribeTicketEvents(simulator);
        }));
        control.MapGet("/ticket-events", context => Handle(context, _ => DescribeTicketEvents(simulator)));
        // How plain query dates are read (utc | userZone) and glide.sys.default.tz; either may be left out.
        control.MapPut("/query-dates", context => Handle(context, body =>
        {
            if (Optional(body, "reading") is { } reading)
            {
                simulator.QueryDateReading = Enum.Parse<ServiceNowQueryDateReading>(reading, ignoreCase: true);
            }

            if (body["systemTimeZone"] is not null)
            {
                simulator.SetSystemTimeZone(Optional(body, "systemTimeZone"));
            }

            return new JsonObject { ["reading"] = simulator.QueryDateReading.ToString() };
        }));
        control.MapPut("/outage", context => Handle(context, body =>
        {
            simulator.Outage = Enum.Parse<ServiceNowOutage>(Required(body, "outage"), ignoreCase: true);
            return new JsonObject { ["outage"] = simulator.Outage.ToString() };
        }));
        control.MapGet("/tokens/settings", context => Handle(context, _ => Describe(simulator.TokenSettings)));
        control.MapPut("/tokens/settings", context => Handle(context, body =>
        {
            var current = simulator.TokenSettings;
            simulator.SetTokenSettings(new ServiceNowTokenSettings(
                body["accessTokenLifespanSeconds"] is { } access ? TimeSpan.FromSeconds(access.GetValue<int>()) : current.AccessTokenLifespan,
                body["refreshTokenLifespanSeconds"] is { } refresh ? TimeSpan.FromSeconds(refresh.GetValue<int>()) : current.RefreshTokenLifespan,
                Optional(body, "refreshTokenRotation") is { } rotation ? Enum.Parse<RefreshTokenRotation>(rotation, ignoreCase: true) : current.RefreshTokenRotation));
            return Describe(simulator.TokenSettings);
        }));
        control.MapPost("/tokens/expire", context => Handle(context, body =>
        {
            switch (Optional(body, "kind"))
            {
                case "access":
                    simulator.ExpireAccessTokens();
                    break;
                case "refresh":
                    simulator.ExpireRefreshTokens();
                    break;
                default:
                    simulator.ExpireAllTokens();
                    break;
            }

            return new JsonObject();
        }));
    }

    private static async Task Handle(HttpContext context, Func<JsonObject, JsonObject> action)
    {
        JsonObject body;
        try
        {
            body = context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0
                ? await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject ?? []
                : [];
        }
        catch (JsonException)
        {
            await ServiceNowSimulator.WriteAsync(context, SimResponse.Error(400, "Invalid control request", "The body is not a JSON object."));
            return;
        }

        SimResponse response;
        try
        {
            response = new SimResponse(200, action(body));
        }
        catch (ServiceNowSimulatorRefusedException e)
        {
            response = SimResponse.Error(e.StatusCode, e.ErrorMessage, e.Detail);
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            response = SimResponse.Error(e is KeyNotFoundException ? 404 : 400, "Invalid control request", e.Message);
        }

        await ServiceNowSimulator.WriteAsync(context, response);
    }

    /// <summary>Where events go and how many were delivered or lost; never the secret.</summary>
    private static JsonObject DescribeTicketEvents(ServiceNowSimulator simulator) => new()
    {
        ["url"] = simulator.TicketEventsUrl?.AbsoluteUri,
        ["sent"] = simulator.TicketEventsSent,
        ["failed"] = simulator.TicketEventsFailed,
    };

    private static JsonObject Describe(IReadOnlyDictionary<string, string> record) =>
        new(record.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));

    private static JsonObject Describe(ServiceNowTokenSettings settings) => new()
    {
        ["accessTokenLifespanSeconds"] = (long)settings.AccessTokenLifespan.TotalSeconds,
        ["refreshTokenLifespanSeconds"] = (long)settings.RefreshTokenLifespan.TotalSeconds,
        ["refreshTokenRotation"] = settings.RefreshTokenRotation.ToString(),
    };

    private static string Route(HttpContext context, string name) => (string)context.Request.RouteValues[name]!;

    private static string Required(JsonObject body, string name) =>
        Optional(body, name) ?? throw new ArgumentException($"'{name}' is required.");

    private static string? Optional(JsonObject body, string name) => body[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static Dictionary<string, string> Fields(JsonNode? node) =>
        node is JsonObject fields
            ? fields.ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value?.ToJsonString() ?? string.Empty)
            : throw new ArgumentException("'fields' must be an object of field names and string values.");
}
