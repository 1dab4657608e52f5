using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// The control surface over HTTP, for local runs: <c>/_sim/servicenow/...</c>. Each route calls the in-process
/// control API of <see cref="ServiceNowSimulator"/>; bodies are small JSON objects (camelCase).
/// </summary>
internal static class ServiceNowSimulatorControlEndpoints
{
    public static void Map(WebApplication app, ServiceNowSimulator simulator)
    {
        var control = app.MapGroup("/_sim/servicenow");

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
                Optional(body, "password"))),
        }));
        control.MapPost("/groups", context => Handle(context, body => new JsonObject
        {
            ["sysId"] = simulator.SeedGroup(Required(body, "name"), body["active"]?.GetValue<bool>() ?? true),
        }));
        control.MapPost("/acl/deny-read", context => Handle(context, body =>
        {
            simulator.DenyRead(Required(body, "userName"), Required(body, "table"));
            return new JsonObject();
        }));
        control.MapPost("/acl/allow-read", context => Handle(context, body =>
        {
            simulator.AllowRead(Required(body, "userName"), Required(body, "table"));
            return new JsonObject();
        }));
        control.MapGet("/records/{table}", context => Handle(context, _ =>
            new JsonObject { ["value"] = new JsonArray(simulator.ListRecords(Route(context, "table")).Select(r => (JsonNode)simulator.Describe(r)).ToArray()) }));
        control.MapPost("/tickets/{table}", context => Handle(context, body =>
            simulator.Describe(simulator.CreateTicket(Route(context, "table"), Fields(body["fields"]), Optional(body, "asUser")))));
        control.MapPost("/tickets/{table}/{sysId}/{action}", context => Handle(context, body =>
        {
            var table = Route(context, "table");
            var sysId = Route(context, "sysId");
            var asUser = Optional(body, "asUser");
            var record = Route(context, "action") switch
            {
                "resolve" => simulator.Resolve(table, sysId, Optional(body, "closeCode") ?? "Solved (Permanently)", Optional(body, "closeNotes") ?? "Resolved in the simulator", asUser),
                "close" => simulator.Close(table, sysId, Optional(body, "closeCode") ?? "Solved (Permanently)", Optional(body, "closeNotes") ?? "Closed in the simulator", asUser),
                "cancel" => simulator.Cancel(table, sysId, asUser),
                "reassign" => simulator.Reassign(table, sysId, Required(body, "assignedTo"), asUser),
                "update" => simulator.UpdateTicket(table, sysId, Fields(body["fields"]), asUser),
                var other => throw new ArgumentException($"Unknown action '{other}' (resolve, close, cancel, reassign, update)."),
            };
            return simulator.Describe(record);
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
        control.MapPost("/faults", context => Handle(context, body =>
        {
            var faults = simulator.Faults;
            var endpoint = Optional(body, "endpoint");
            if (body["latencyMs"] is { } latency)
            {
                faults.Latency = TimeSpan.FromMilliseconds(latency.GetValue<int>());
            }

            if (body["serverErrorRate"] is { } rate)
            {
                faults.ServerErrorRate = rate.GetValue<double>();
            }

            if (body["rateLimitNext"] is { } rateLimited)
            {
                faults.RateLimitNext(rateLimited.GetValue<int>(), body["retryAfterSeconds"]?.GetValue<int>() ?? 1, endpoint);
            }

            if (body["failNext"] is { } failing)
            {
                faults.FailNext(failing.GetValue<int>(), body["failStatus"]?.GetValue<int>() ?? 503, endpoint);
            }

            if (body["failAfterCommitNext"] is { } lost)
            {
                faults.FailAfterCommitNext(lost.GetValue<int>(), endpoint);
            }

            if (body["commitLateNext"] is { } late)
            {
                faults.CommitLateNext(late.GetValue<int>(), endpoint);
            }

            if (body["delayNext"] is { } delayed)
            {
                faults.DelayNext(delayed.GetValue<int>(), TimeSpan.FromMilliseconds(body["delayMs"]?.GetValue<int>() ?? 1000), endpoint);
            }

            return new JsonObject();
        }));
        control.MapDelete("/faults", context => Handle(context, _ =>
        {
            simulator.Faults.Clear();
            return new JsonObject();
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

    private static string Route(HttpContext context, string name) => (string)context.Request.RouteValues[name]!;

    private static string Required(JsonObject body, string name) =>
        Optional(body, name) ?? throw new ArgumentException($"'{name}' is required.");

    private static string? Optional(JsonObject body, string name) => body[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static Dictionary<string, string> Fields(JsonNode? node) =>
        node is JsonObject fields
            ? fields.ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value?.ToJsonString() ?? string.Empty)
            : throw new ArgumentException("'fields' must be an object of field names and string values.");
}
