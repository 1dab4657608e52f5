using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Rules;
using DefenderSnow.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Functions.Rules;

/// <summary>The automation rule endpoints of the contract; each parses, delegates to <see cref="RuleService"/>, and shapes the answer.</summary>
public sealed class RuleFunctions
{
    private readonly RuleService _rules;
    private readonly HttpEndpoint _endpoint;

    public RuleFunctions(RuleService rules, HttpEndpoint endpoint)
    {
        _rules = rules;
        _endpoint = endpoint;
    }

    [Function("CreateRule")]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "integrations/{id}/rules")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "CreateRule", async caller =>
        {
            var body = await RequestBody.ReadAsync<RuleRequest>(request, cancellationToken);
            var rule = await _rules.CreateAsync(id, body, caller.Name, caller.Access, cancellationToken);
            return new JsonResponse(StatusCodes.Status201Created, RuleResponse.From(rule)) { Location = $"/api/integrations/{id}/rules/{rule.Id}" };
        });

    [Function("ListRules")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "integrations/{id}/rules")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "ListRules", async caller =>
        {
            var page = await _rules.ListAsync(id, QueryParameters.WholeNumber(request, "top"), QueryParameters.Value(request, "continuationToken"), caller.Access, cancellationToken);
            var nextLink = page.ContinuationToken is null ? null : QueryParameters.NextLink(request, page.ContinuationToken);
            return new JsonResponse(StatusCodes.Status200OK, new { value = page.Items.Select(RuleResponse.From).ToList(), nextLink });
        });

    [Function("GetRule")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "integrations/{id}/rules/{ruleId}")] HttpRequest request,
        string id,
        string ruleId,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "GetRule", async caller =>
            new JsonResponse(StatusCodes.Status200OK, RuleResponse.From(await _rules.GetAsync(id, ruleId, caller.Access, cancellationToken))));

    [Function("UpdateRule")]
    public Task<IActionResult> Update(
        [HttpTrigger(AuthorizationLevel.Function, "patch", Route = "integrations/{id}/rules/{ruleId}")] HttpRequest request,
        string id,
        string ruleId,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "UpdateRule", async caller =>
        {
            var body = await RequestBody.ReadAsync<RuleRequest>(request, cancellationToken);
            return new JsonResponse(StatusCodes.Status200OK, RuleResponse.From(await _rules.UpdateAsync(id, ruleId, body, caller.Name, caller.Access, cancellationToken)));
        });

    [Function("DeleteRule")]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "integrations/{id}/rules/{ruleId}")] HttpRequest request,
        string id,
        string ruleId,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "DeleteRule", async caller =>
        {
            await _rules.DeleteAsync(id, ruleId, caller.Name, caller.Access, cancellationToken);
            return new JsonResponse(StatusCodes.Status204NoContent, null);
        });

    /// <summary><c>dryRun</c> comes in the body (<c>{"dryRun": true}</c>) or the query (<c>?dryRun=true</c>), not both.</summary>
    [Function("EvaluateRule")]
    public Task<IActionResult> Evaluate(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "integrations/{id}/rules/{ruleId}:evaluate")] HttpRequest request,
        string id,
        string ruleId,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, "EvaluateRule", async caller =>
        {
            var body = await RequestBody.ReadOptionalAsync<EvaluateRuleRequest>(request, cancellationToken);
            var query = QueryParameters.Value(request, "dryRun");
            bool? fromQuery = query switch
            {
                null => null,
                "true" => true,
                "false" => false,
                _ => throw new ValidationException("dryRun", "Must be true or false."),
            };
            if (fromQuery is not null && body?.DryRun is not null)
            {
                throw new ValidationException("dryRun", "Give dryRun in the body or in the query, not both.");
            }

            var evaluation = await _rules.EvaluateAsync(id, ruleId, fromQuery ?? body?.DryRun ?? false, caller.Access, cancellationToken);
            return new JsonResponse(StatusCodes.Status200OK, RuleEvaluationResponse.From(evaluation));
        });
}
