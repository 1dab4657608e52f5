using DefenderSnow.Core.Health;
using DefenderSnow.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Functions.Health;

public sealed class HealthFunction
{
    private readonly HealthService _health;

    public HealthFunction(HealthService health)
    {
        _health = health;
    }

    /// <summary>200 when Table Storage, the queues and Key Vault answer, 503 otherwise; the body says no more than that.</summary>
    [Function("Health")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var healthy = await _health.IsHealthyAsync(cancellationToken);
        return new JsonResponse(healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, new { status = healthy ? "healthy" : "unhealthy" });
    }
}
