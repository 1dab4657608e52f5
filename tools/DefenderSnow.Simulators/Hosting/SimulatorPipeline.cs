using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.Hosting;

/// <summary>
/// The one way a simulator serves a service request: injected latency, then an injected answer or dropped
/// connection, else the simulator's handler; an injected "fail after commit" replaces the handler's answer by
/// a 500 after the work is done. Each simulator supplies only how its service writes an error.
/// </summary>
public static class SimulatorPipeline
{
    /// <param name="context">The request.</param>
    /// <param name="faults">The simulator's faults.</param>
    /// <param name="endpoint">The simulator's name for the endpoint, as fault filters and request counts use it.</param>
    /// <param name="writeFault">Writes an injected answer (status 4xx/5xx, maybe <c>Retry-After</c>) in the service's error shape.</param>
    /// <param name="handle">Serves the request.</param>
    public static async Task RunAsync(
        HttpContext context,
        SimulatorFaults faults,
        string endpoint,
        Func<HttpContext, SimulatorFault, Task> writeFault,
        Func<HttpContext, Task> handle)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(faults);
        ArgumentNullException.ThrowIfNull(writeFault);
        ArgumentNullException.ThrowIfNull(handle);
        var (delay, fault) = faults.Before(endpoint);
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The caller gave up while waiting; nothing it asked for has been done.
                return;
            }
        }

        switch (fault?.Kind)
        {
            case SimulatorFaultKind.Drop:
                context.Abort();
                return;
            case SimulatorFaultKind.Answer:
                await writeFault(context, fault);
                return;
            case SimulatorFaultKind.Redirect:
                context.Response.StatusCode = StatusCodes.Status302Found;
                context.Response.Headers.Location = fault.Location!.AbsoluteUri;
                return;
        }

        // The answer is held back until the handler is done, so a "lost" answer can still replace it.
        var body = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await handle(context);
            if (faults.FailAfterCommit(endpoint))
            {
                context.Response.Clear();
                buffer.SetLength(0);
                await writeFault(context, new SimulatorFault(SimulatorFaultKind.Answer, 500));
            }
        }
        finally
        {
            context.Response.Body = body;
        }

        if (buffer.Length > 0)
        {
            buffer.Position = 0;
            await buffer.CopyToAsync(body, context.RequestAborted);
        }
    }
}
