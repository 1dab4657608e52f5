using Azure.Storage.Queues.Models;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Storage;
using DefenderSnow.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Functions.Integrations;

/// <summary>The Integrations endpoints of the contract; each parses, delegates to <see cref="IntegrationService"/>, and shapes the answer.</summary>
public sealed class IntegrationFunctions
{
    private readonly IntegrationService _integrations;
    private readonly IntegrationDeletion _deletion;
    private readonly HttpEndpoint _endpoint;
    private readonly WorkQueueMessageReader _messages;

    public IntegrationFunctions(IntegrationService integrations, IntegrationDeletion deletion, HttpEndpoint endpoint, WorkQueueMessageReader messages)
    {
        _messages = messages;
        _integrations = integrations;
        _deletion = deletion;
        _endpoint = endpoint;
    }

    [Function("CreateIntegration")]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "integrations")] HttpRequest request,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "CreateIntegration", async caller =>
        {
            var body = await RequestBody.ReadAsync<CreateIntegrationRequest>(request, cancellationToken);
            var integration = await _integrations.CreateAsync(body, caller.Name, caller.Access, cancellationToken);
            return new JsonResponse(StatusCodes.Status201Created, IntegrationResponse.From(integration))
            {
                Location = $"/api/integrations/{integration.Id}",
            };
        });

    [Function("ListIntegrations")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "integrations")] HttpRequest request,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "ListIntegrations", async caller =>
        {
            var scope = QueryParameters.Value(request, "scope");
            var top = QueryParameters.WholeNumber(request, "top");
            var page = await _integrations.ListAsync(scope, top, QueryParameters.Value(request, "continuationToken"), caller.Access, cancellationToken);
            var nextLink = page.ContinuationToken is null ? null : QueryParameters.NextLink(request, page.ContinuationToken);
            return new JsonResponse(StatusCodes.Status200OK, new { value = page.Items.Select(IntegrationResponse.From).ToList(), nextLink });
        });

    [Function("GetIntegration")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "integrations/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "GetIntegration", async caller =>
            new JsonResponse(StatusCodes.Status200OK, IntegrationResponse.From(await _integrations.GetAsync(id, caller.Access, cancellationToken))));

    [Function("UpdateIntegration")]
    public Task<IActionResult> Update(
        [HttpTrigger(AuthorizationLevel.Function, "patch", Route = "integrations/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "UpdateIntegration", async caller =>
        {
            var body = await RequestBody.ReadAsync<UpdateIntegrationRequest>(request, cancellationToken);
            var integration = await _integrations.UpdateAsync(id, body, caller.Name, caller.Access, cancellationToken);
            return new JsonResponse(StatusCodes.Status200OK, IntegrationResponse.From(integration));
        });

    [Function("DeleteIntegration")]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "integrations/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "DeleteIntegration", async caller =>
        {
            var continuing = await _integrations.DeleteAsync(id, caller.Access, cancellationToken);
            return continuing is null
                ? new JsonResponse(StatusCodes.Status204NoContent, null)
                : new JsonResponse(StatusCodes.Status202Accepted, IntegrationResponse.From(continuing)) { Location = $"/api/integrations/{id}" };
        });

    /// <summary>
    /// Goes on with an integration delete that did not finish in its request; throws so the host delivers the message
    /// again; a message that can never be read goes to the poison queue at once.
    /// </summary>
    [Function("CompleteIntegrationDeletion")]
    public async Task CompleteDeletion([QueueTrigger("%IntegrationDeletionsQueue%")] QueueMessage message, CancellationToken cancellationToken)
    {
        if (await _messages.ReadAsync<IntegrationDeletionMessage>(WorkQueue.IntegrationDeletions, message, cancellationToken) is { } body)
        {
            await _deletion.ContinueAsync(body, cancellationToken);
        }
    }
}
