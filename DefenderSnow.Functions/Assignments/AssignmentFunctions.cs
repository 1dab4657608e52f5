using DefenderSnow.Core.Assignments;
using DefenderSnow.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Functions.Assignments;

/// <summary>The Assignments endpoints of the contract; each parses, delegates to <see cref="AssignmentService"/>, and shapes the answer.</summary>
public sealed class AssignmentFunctions
{
    private readonly AssignmentService _assignments;
    private readonly HttpEndpoint _endpoint;

    public AssignmentFunctions(AssignmentService assignments, HttpEndpoint endpoint)
    {
        _assignments = assignments;
        _endpoint = endpoint;
    }

    [Function("CreateAssignment")]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "assignments")] HttpRequest request,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "CreateAssignment", async caller =>
        {
            var body = await RequestBody.ReadAsync<CreateAssignmentRequest>(request, cancellationToken);
            var outcome = await _assignments.CreateAsync(body, caller.Name, caller.Access, cancellationToken);
            return new JsonResponse(outcome.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK, AssignmentResponse.From(outcome.Assignment))
            {
                Location = $"/api/assignments/{outcome.Assignment.Id}",
            };
        });

    [Function("ListAssignments")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "assignments")] HttpRequest request,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "ListAssignments", async caller =>
        {
            var page = await _assignments.ListAsync(
                QueryParameters.Value(request, "integrationId"),
                QueryParameters.Value(request, "assessmentName"),
                QueryParameters.Value(request, "resourceId"),
                QueryParameters.Value(request, "status"),
                QueryParameters.WholeNumber(request, "top"),
                QueryParameters.Value(request, "continuationToken"),
                caller.Access,
                cancellationToken);
            var nextLink = page.ContinuationToken is null ? null : QueryParameters.NextLink(request, page.ContinuationToken);
            return new JsonResponse(StatusCodes.Status200OK, new { value = page.Items.Select(AssignmentResponse.From).ToList(), nextLink });
        });

    [Function("GetAssignment")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "assignments/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "GetAssignment", async caller =>
            new JsonResponse(StatusCodes.Status200OK, AssignmentResponse.From(await _assignments.GetAsync(id, caller.Access, cancellationToken))));

    [Function("UpdateAssignment")]
    public Task<IActionResult> Update(
        [HttpTrigger(AuthorizationLevel.Function, "patch", Route = "assignments/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "UpdateAssignment", async caller =>
        {
            var body = await RequestBody.ReadAsync<UpdateAssignmentRequest>(request, cancellationToken);
            return new JsonResponse(StatusCodes.Status200OK, AssignmentResponse.From(await _assignments.UpdateAsync(id, body, caller.Access, caller.Name, cancellationToken)));
        });

    [Function("DeleteAssignment")]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "assignments/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "DeleteAssignment", async caller =>
        {
            await _assignments.DeleteAsync(id, caller.Access, caller.Name, cancellationToken);
            return new JsonResponse(StatusCodes.Status204NoContent, null);
        });
}
