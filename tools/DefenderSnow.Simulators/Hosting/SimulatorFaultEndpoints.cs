using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DefenderSnow.Simulators.Hosting;

/// <summary>
/// <c>/_sim/{simulator}/faults</c>, the same in every simulator. <c>POST</c> with
/// <c>{"kind":"fail|rateLimit|unauthorized|forbid|drop|delay|failAfterCommit|commitLate|redirect","count":1,"status":503,
/// "retryAfterSeconds":1,"delayMs":1000,"endpoint":"…"}</c> (a <c>count</c> of 0 means until cleared) and/or
/// <c>{"latencyMs":…,"serverErrorRate":…}</c>; <c>DELETE</c> clears every fault.
/// </summary>
public static class SimulatorFaultEndpoints
{
    public static void MapFaults(this IEndpointRouteBuilder control, SimulatorFaults faults)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(faults);
        control.MapPost("/faults", context => InjectAsync(context, faults));
        control.MapDelete("/faults", context =>
        {
            faults.Clear();
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
    }

    private static async Task InjectAsync(HttpContext context, SimulatorFaults faults)
    {
        try
        {
            var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject
                ?? throw new FormatException("The body is not a JSON object.");
            Apply(body, faults);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException or InvalidOperationException)
        {
            await SimulatorControlAnswers.BadRequestAsync(context, e.Message);
        }
    }

    private static readonly HashSet<string> Members = new(StringComparer.Ordinal)
    {
        "kind", "count", "status", "retryAfterSeconds", "delayMs", "endpoint", "latencyMs", "serverErrorRate", "location",
    };

    private static void Apply(JsonObject body, SimulatorFaults faults)
    {
        // A misspelt member would otherwise inject nothing and leave a script believing it did.
        if (body.Select(p => p.Key).FirstOrDefault(k => !Members.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"Unknown member '{unknown}'; expected {string.Join(", ", Members)}.");
        }

        if (body["latencyMs"] is { } latency)
        {
            faults.Latency = TimeSpan.FromMilliseconds(latency.GetValue<int>());
        }

        if (body["serverErrorRate"] is { } rate)
        {
            faults.ServerErrorRate = rate.GetValue<double>();
        }

        if (body["kind"]?.GetValue<string>() is not { } kind)
        {
            return;
        }

        var count = body["count"]?.GetValue<int>() ?? 1;
        count = count switch
        {
            0 => SimulatorFaults.Always,
            < 0 => throw new ArgumentException("'count' must not be negative."),
            _ => count,
        };
        var endpoint = body["endpoint"]?.GetValue<string>();
        TimeSpan? retryAfter = body["retryAfterSeconds"] is { } seconds ? TimeSpan.FromSeconds(seconds.GetValue<int>()) : null;
        switch (kind)
        {
            case "fail":
                faults.FailNext(count, body["status"]?.GetValue<int>() ?? 503, endpoint, retryAfter);
                break;
            case "rateLimit":
                faults.RateLimitNext(count, retryAfter ?? TimeSpan.FromSeconds(1), endpoint);
                break;
            case "unauthorized":
                faults.UnauthorizedNext(count, endpoint);
                break;
            case "forbid":
                faults.ForbidNext(count, endpoint);
                break;
            case "drop":
                faults.DropNext(count, endpoint);
                break;
            case "delay":
                faults.DelayNext(count, TimeSpan.FromMilliseconds(body["delayMs"]?.GetValue<int>() ?? 1000), endpoint);
                break;
            case "failAfterCommit":
                faults.FailAfterCommitNext(count, endpoint);
                break;
            case "commitLate":
                faults.CommitLateNext(count, endpoint);
                break;
            case "redirect":
                faults.RedirectNext(count, new Uri(body["location"]?.GetValue<string>() ?? throw new ArgumentException("'location' is required for a redirect."), UriKind.Absolute), endpoint);
                break;
            default:
                throw new ArgumentException($"Unknown fault kind '{kind}' (fail, rateLimit, unauthorized, forbid, drop, delay, failAfterCommit, commitLate, redirect).");
        }
    }
}
