using DefenderSnow.Core.Health;
using DefenderSnow.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Functions.Health;

/// <summary>
/// Liveness and readiness apart (issue 26, M5): the anonymous probe the platform calls touches nothing, so
/// no caller without a key can make the app call its dependencies; readiness checks them behind a key and a role.
/// </summary>
public sealed class HealthFunction
{
    public const string ReadinessName = "Readiness";
    private readonly HealthService _health;
    private readonly HttpEndpoint _endpoint;

    public HealthFunction(HealthService health, HttpEndpoint endpoint)
    {
        _health = health;
        _endpoint = endpoint;
    }

    /// <summary>200 whenever the worker answers; it calls no dependency.</summary>
    [Function("Health")]
    public static IActionResult Live(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) =>
        new JsonResponse(StatusCodes.Status200OK, new { status = "alive" });

    /// <summary>200 when Table Storage, the queues and Key Vault answer, 503 otherwise (cached, see <see cref="HealthService"/>); the body says no more than that.</summary>
    [Function(ReadinessName)]
    public Task<IActionResult> Ready(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "health/ready")] HttpRequest request,
        CancellationToken cancellationToken) =>
        _endpoint.RunAsync(request, ReadinessName, async _ =>
        {
            var healthy = await _health.IsHealthyAsync(cancellationToken);
            return new JsonResponse(healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, new { status = healthy ? "healthy" : "unhealthy" });
        });
}
