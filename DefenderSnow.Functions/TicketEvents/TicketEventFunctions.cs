using Azure.Storage.Queues.Models;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.TicketEvents;
using DefenderSnow.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Functions.TicketEvents;

/// <summary>The Ticket events functions of the contract: the webhook secret, the signed event from ServiceNow, and the queue worker.</summary>
public sealed class TicketEventFunctions
{
    private readonly WebhookSecrets _secrets;
    private readonly TicketEventReceiver _receiver;
    private readonly TicketEventWorker _worker;
    private readonly HttpEndpoint _endpoint;
    private readonly WorkQueueMessageReader _messages;

    public TicketEventFunctions(WebhookSecrets secrets, TicketEventReceiver receiver, TicketEventWorker worker, HttpEndpoint endpoint, WorkQueueMessageReader messages)
    {
        _messages = messages;
        _secrets = secrets;
        _receiver = receiver;
        _worker = worker;
        _endpoint = endpoint;
    }

    /// <summary>Generates (or rotates) the integration's webhook secret; this answer is the only place its value appears.</summary>
    [Function("EnableWebhook")]
    public Task<IActionResult> EnableWebhook(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "integrations/{id}/webhook")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "EnableWebhook", async caller =>
        {
            var issued = await _secrets.IssueAsync(id, caller.Access, cancellationToken);
            request.HttpContext.Response.Headers.CacheControl = "no-store";
            return new JsonResponse(StatusCodes.Status200OK, WebhookResponse.From(id, issued));
        });

    /// <summary>Turns ticket events off for the integration: its webhook secrets are deleted and no event is accepted any more.</summary>
    [Function("DisableWebhook")]
    public Task<IActionResult> DisableWebhook(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "integrations/{id}/webhook")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "DisableWebhook", async caller =>
        {
            await _secrets.DisableAsync(id, caller.Access, cancellationToken);
            return new JsonResponse(StatusCodes.Status204NoContent, null);
        });

    /// <summary>
    /// A ticket event from ServiceNow. Anonymous for the Functions host and exempt from the role check: the HMAC signature
    /// over the timestamp and the raw body, with the integration's webhook secret, is its authentication. The route
    /// lies under <c>/api/ticket-events/*</c>, the prefix App Service authentication excludes (infra).
    /// </summary>
    [Function("ReceiveTicketEvent")]
    public Task<IActionResult> Receive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = TicketEventRoutes.Events)] HttpRequest request,
        string integrationId,
        CancellationToken cancellationToken) =>
        _endpoint.RunSelfAuthenticatedAsync("ReceiveTicketEvent", async () =>
        {
            await _receiver.ReceiveAsync(
                integrationId,
                Single(request, TicketEventSignature.TimestampHeader),
                Single(request, TicketEventSignature.SignatureHeader),
                request.Body,
                request.ContentLength,
                cancellationToken);
            return new JsonResponse(StatusCodes.Status202Accepted, null);
        });

    /// <summary>
    /// Reads one ticket and applies it; a failure is thrown, so the host delivers the message again (and finally to the
    /// poison queue); a message that can never be read goes to the poison queue at once.
    /// </summary>
    [Function("ApplyTicketEvent")]
    public async Task Apply([QueueTrigger("%TicketEventsQueue%")] QueueMessage message, CancellationToken cancellationToken)
    {
        if (await _messages.ReadAsync<TicketEventMessage>(WorkQueue.TicketEvents, message, cancellationToken) is { } body)
        {
            await _worker.HandleAsync(body, message.DequeueCount, cancellationToken);
        }
    }

    /// <summary>A header sent exactly once; a repeated one is as good as none.</summary>
    private static string? Single(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;
}
