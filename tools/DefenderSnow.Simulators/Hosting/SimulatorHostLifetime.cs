using Microsoft.Extensions.Hosting;

namespace DefenderSnow.Simulators.Hosting;

/// <summary>
/// A host lifetime that listens to no console signal: whoever started a simulator (a test, or the simulators'
/// Program, which handles SIGINT/SIGTERM once for all three) stops it. Three console lifetimes in one process
/// would each swallow Ctrl+C and SIGTERM and stop only their own host, leaving the process running.
/// </summary>
internal sealed class SimulatorHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
