using DefenderSnow.Core.Errors;
using DefenderSnow.Functions.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Functions.Http;

/// <summary>
/// Runs an HTTP function's body: first decides whether the caller may (<see cref="CallerAuthorization"/>),
/// then turns Core's typed errors into problem details, the one place where errors become status codes.
/// </summary>
public sealed partial class HttpEndpoint
{
    private readonly CallerAuthorization _authorization;
    private readonly ILogger<HttpEndpoint> _logger;

    public HttpEndpoint(CallerAuthorization authorization, ILogger<HttpEndpoint> logger)
    {
        _authorization = authorization;
        _logger = logger;
    }

    /// <param name="functionName">The contract name of the function; it decides which app roles may call it.</param>
    /// <param name="handler">The function's work, given the authorised caller.</param>
    public Task<IActionResult> RunAsync(HttpRequest request, string functionName, Func<Caller, Task<IActionResult>> handler) =>
        RunCoreAsync(functionName, () => handler(_authorization.Authorize(request, functionName)));

    /// <summary>
    /// Runs a function that authenticates its requests itself (<see cref="FunctionRoles.Exempt"/>): no role check, the same
    /// mapping of errors. Any other function name is a programming error, so an exemption is never granted by accident.
    /// </summary>
    public Task<IActionResult> RunSelfAuthenticatedAsync(string functionName, Func<Task<IActionResult>> handler) =>
        FunctionRoles.IsExempt(functionName)
            ? RunCoreAsync(functionName, handler)
            : throw new InvalidOperationException($"{functionName} is not exempt from the role check; list it in FunctionRoles or use RunAsync.");

    private async Task<IActionResult> RunCoreAsync(string functionName, Func<Task<IActionResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (DomainException e)
        {
            // Domain messages are written for callers and never carry secrets, so they may be logged.
            // They quote what callers sent (a route id, a member name): escaped, so no caller can forge a log line.
            var message = ControlCharacters.Escape(e.Message);
            LogRefused(_logger, functionName, e.Kind, message);
            return Problem.From(e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(_logger, e, functionName);
            return Problem.Unexpected();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Function} answered {Kind}: {Message}")]
    private static partial void LogRefused(ILogger logger, string function, DomainErrorKind kind, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function} failed unexpectedly")]
    private static partial void LogFailed(ILogger logger, Exception exception, string function);
}
