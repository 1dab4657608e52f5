using Azure.Storage.Queues.Models;
using DefenderSnow.Core.Access;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.Sync;
using DefenderSnow.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Functions.Sync;

/// <summary>The Synchronization functions of the contract: the timer, the manual start, the queue worker and the run reads.</summary>
public sealed class SyncFunctions
{
    private readonly SyncService _sync;
    private readonly IntegrationSynchronizer _synchronizer;
    private readonly HttpEndpoint _endpoint;
    private readonly WorkQueueMessageReader _messages;

    public SyncFunctions(SyncService sync, IntegrationSynchronizer synchronizer, HttpEndpoint endpoint, WorkQueueMessageReader messages)
    {
        _messages = messages;
        _sync = sync;
        _synchronizer = synchronizer;
        _endpoint = endpoint;
    }

    /// <summary>Starts a run on the schedule of the setting <c>SyncSchedule</c> (validated at start-up).</summary>
    [Function("SyncTimer")]
    public Task Timer([TimerTrigger("%SyncSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        _sync.StartAsync(SyncTrigger.Timer, new StartSyncRequest(), CallerAccess.Unrestricted, cancellationToken);

    [Function("RunSync")]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "sync")] HttpRequest request,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "RunSync", async caller =>
        {
            var body = await RequestBody.ReadOptionalAsync<StartSyncRequest>(request, cancellationToken) ?? new StartSyncRequest();
            var run = await _sync.StartAsync(SyncTrigger.Manual, body, caller.Access, cancellationToken);
            return new JsonResponse(StatusCodes.Status202Accepted, SyncRunResponse.From(run)) { Location = $"/api/sync/runs/{run.RunId}" };
        });

    /// <summary>
    /// Syncs one integration for one run. A failure is thrown, so the host delivers the message again (and finally to
    /// the poison queue); a message that can never be read goes to the poison queue at once.
    /// </summary>
    [Function("SyncIntegration")]
    public async Task SyncIntegration([QueueTrigger("%SyncIntegrationsQueue%")] QueueMessage message, CancellationToken cancellationToken)
    {
        if (await _messages.ReadAsync<SyncMessage>(WorkQueue.SyncIntegrations, message, cancellationToken) is { } body)
        {
            await _synchronizer.HandleAsync(body, message.DequeueCount, cancellationToken);
        }
    }

    [Function("ListSyncRuns")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "sync/runs")] HttpRequest request,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "ListSyncRuns", async caller =>
        {
            var page = await _sync.ListAsync(QueryParameters.WholeNumber(request, "top"), QueryParameters.Value(request, "continuationToken"), caller.Access, cancellationToken);
            var nextLink = page.ContinuationToken is null ? null : QueryParameters.NextLink(request, page.ContinuationToken);
            return new JsonResponse(StatusCodes.Status200OK, new { value = page.Items.Select(SyncRunResponse.From).ToList(), nextLink });
        });

    [Function("GetSyncRun")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "sync/runs/{runId}")] HttpRequest request,
        string runId,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "GetSyncRun", async caller =>
            new JsonResponse(StatusCodes.Status200OK, SyncRunResponse.From(await _sync.GetAsync(runId, caller.Access, cancellationToken))));
}
