using System.Globalization;
using System.Text;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.TicketEvents;
using DefenderSnow.Functions.TicketEvents;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Tests.TicketEvents;

/// <summary>
/// Ticket events through the functions. The tests have no Functions HTTP host, so a loopback Kestrel listener stands in
/// for it: each request it receives (a real <see cref="HttpRequest"/>, chunked bodies and all) is handed to the real
/// <c>ReceiveTicketEvent</c> of the app's host, and the function's result is written back. The ServiceNow simulator
/// is pointed at that listener, as an instance's business rule is pointed at the Function App.
/// </summary>
public sealed class TicketEventDriver : IAsyncDisposable
{
    private readonly IntegrationHarness _harness;
    private readonly WebApplication _listener;
    private int _listenerRequests;

    private TicketEventDriver(IntegrationHarness harness)
    {
        _harness = harness;
        Functions = App.Function<TicketEventFunctions>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _listener = builder.Build();
        _listener.MapPost("/api/" + TicketEventRoutes.Events, async context =>
        {
            Interlocked.Increment(ref _listenerRequests);
            var id = (string)context.Request.RouteValues["integrationId"]!;
            var answer = new MemoryStream();
            var original = context.Response.Body;
            context.Response.Body = answer;
            var result = await App.Function<TicketEventFunctions>().Receive(context.Request, id, context.RequestAborted);
            await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
            context.Response.Body = original;
            var text = Encoding.UTF8.GetString(answer.ToArray());
            await _harness.Record(Task.FromResult(new FunctionResponse(context.Response.StatusCode, context.Response.Headers, text)));
            await context.Response.Body.WriteAsync(answer.ToArray());
        });
    }

    public TicketEventFunctions Functions { get; }

    /// <summary>The listener's base address, for example <c>http://127.0.0.1:50123/</c>.</summary>
    public Uri ListenerUri { get; private set; } = null!;

    /// <summary>How many requests reached the listener.</summary>
    public int ListenerRequests => _listenerRequests;

    private TestApp App => _harness.App;

    /// <summary>The burst window is short in tests; the queue still hides each message this long.</summary>
    public static void AdjustSettings(Dictionary<string, string?> settings) => settings["TicketEvents:CollapseDelay"] = "00:00:01";

    /// <summary>Starts the listener on <paramref name="harness"/>'s app; it stops when the harness is disposed.</summary>
    public static async Task<TicketEventDriver> StartAsync(IntegrationHarness harness)
    {
        var driver = new TicketEventDriver(harness);
        await driver._listener.StartAsync();
        driver.ListenerUri = new Uri(driver._listener.Urls.First().TrimEnd('/') + "/");
        harness.DisposeWithApp(driver);
        return driver;
    }

    /// <summary>
    /// What a ticket-event class starts from: the app with the sync and ticket-event settings, and its listener.
    /// </summary>
    /// <param name="adjustSettings">Runs after <see cref="AdjustSettings"/>, so it may undo one.</param>
    /// <param name="configureServices">Runs after the app's own registrations, so it may replace one.</param>
    public static async Task<(SyncTestContext Context, TicketEventDriver Events)> StartWithAppAsync(
        Action<Dictionary<string, string?>>? adjustSettings = null, Action<IServiceCollection>? configureServices = null)
    {
        var context = await SyncTestContext.StartAsync(
            settings =>
            {
                AdjustSettings(settings);
                adjustSettings?.Invoke(settings);
            },
            configureServices);
        return (context, await StartAsync(context.Harness));
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();

    /// <summary>Where the simulator sends the events of <paramref name="integrationId"/>.</summary>
    public Uri EventsUri(string integrationId) => new(ListenerUri, $"api/ticket-events/{integrationId}");

    /// <summary>
    /// Calls EnableWebhook and returns its answer. The one response that carries the secret is not recorded for the
    /// secret scan; the secret itself is, so any other appearance fails the test.
    /// </summary>
    public Task<FunctionResponse> DisableWebhookAsync(string integrationId) =>
        FunctionCall.InvokeAsync(
            FunctionCall.Request("DELETE", $"/api/integrations/{integrationId}/webhook"),
            r => Functions.DisableWebhook(r, integrationId, CancellationToken.None));

    public async Task<FunctionResponse> EnableWebhookAsync(string integrationId)
    {
        var response = await FunctionCall.InvokeAsync(
            FunctionCall.Request("POST", $"/api/integrations/{integrationId}/webhook"),
            r => Functions.EnableWebhook(r, integrationId, CancellationToken.None));
        if (response.Status == 200)
        {
            _harness.RememberSecret(response.Json["secret"]!.GetValue<string>());
        }

        return response;
    }

    /// <summary>An integration with ticket events on, the simulator sending them to the listener.</summary>
    public async Task<(string IntegrationId, string Secret)> IntegrationWithEventsAsync()
    {
        var integrationId = await _harness.CreateIntegrationAsync();
        var enabled = await EnableWebhookAsync(integrationId);
        Assert.That(enabled.Status, Is.EqualTo(200), enabled.ToString());
        var secret = enabled.Json["secret"]!.GetValue<string>();
        App.ServiceNow.SendTicketEventsTo(EventsUri(integrationId), secret);
        return (integrationId, secret);
    }

    /// <summary>The body the business rule sends for a ticket.</summary>
    public static string EventBody(string table, string sysId, string correlationId, params string[] changed) =>
        FunctionCall.Json(new Dictionary<string, object?> { ["table"] = table, ["sys_id"] = sysId, ["correlation_id"] = correlationId, ["changed_fields"] = changed });

    /// <summary>Calls ReceiveTicketEvent directly, signed with <paramref name="secret"/> at <paramref name="at"/> (now by default).</summary>
    public Task<FunctionResponse> SendSignedAsync(string integrationId, string body, string secret, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? App.Get<TimeProvider>().GetUtcNow()).ToUnixTimeSeconds();
        return SendAsync(integrationId, body, new Dictionary<string, string>
        {
            [TicketEventSignature.TimestampHeader] = timestamp.ToString(CultureInfo.InvariantCulture),
            [TicketEventSignature.SignatureHeader] = TicketEventSignature.Sign(secret, timestamp, Encoding.UTF8.GetBytes(body)),
        });
    }

    public Task<FunctionResponse> SendAsync(string integrationId, string? body, IDictionary<string, string>? headers, Action<HttpContext>? adjust = null)
    {
        // The route value reaches the function as its argument, as the host hands it over; the path only has to be valid.
        var context = FunctionCall.Request("POST", "/api/ticket-events/value0", body, headers);
        adjust?.Invoke(context);
        return _harness.Record(FunctionCall.InvokeAsync(context, r => Functions.Receive(r, integrationId, CancellationToken.None)));
    }

    /// <summary>Messages on ticket-events, the ones still hidden by their collapse delay included (a peek would miss those).</summary>
    public async Task<int> QueuedEventCountAsync()
    {
        var client = await App.Get<QueueClientProvider>().GetAsync(WorkQueue.TicketEvents, CancellationToken.None);
        return (await client.GetPropertiesAsync()).Value.ApproximateMessagesCount;
    }

    /// <summary>Delivers the ticket-events messages to ApplyTicketEvent as the host would (waiting out their collapse delay).</summary>
    public Task<int> DeliverEventMessagesAsync() =>
        App.Queues.DrainAsync(WorkQueue.TicketEvents, m => Functions.Apply(m, CancellationToken.None));

    /// <summary>Delivers exactly one ticket-events message, polling while the collapse delay still hides it.</summary>
    public async Task DeliverNextEventMessageAsync()
    {
        for (var polls = 0; polls < 500; polls++)
        {
            if (await App.Queues.DeliverOneAsync(WorkQueue.TicketEvents, m => Functions.Apply(m, CancellationToken.None)))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }

        Assert.Fail("No ticket-events message became visible.");
    }
}
