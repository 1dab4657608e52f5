using DefenderSnow.Core.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Functions.Http;

/// <summary>
/// Runs an HTTP function's body and turns Core's typed errors into problem details: the one place
/// where errors become status codes.
/// </summary>
public sealed class HttpEndpoint
{
    private readonly ILogger<HttpEndpoint> _logger;

    public HttpEndpoint(ILogger<HttpEndpoint> logger)
    {
        _logger = logger;
    }

    public async Task<IActionResult> RunAsync(string functionName, Func<Task<IActionResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (DomainException e)
        {
            // Domain messages are written for callers and never carry secrets, so they may be logged.
            _logger.LogInformation("{Function} answered {Kind}: {Message}", functionName, e.Kind, e.Message);
            return Problem.From(e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError(e, "{Function} failed unexpectedly", functionName);
            return Problem.Unexpected();
        }
    }
}
