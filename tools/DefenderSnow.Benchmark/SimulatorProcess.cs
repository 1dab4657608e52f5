using System.Diagnostics;
using System.Text.Json.Nodes;

namespace DefenderSnow.Benchmark;

/// <summary>
/// The simulators in a process of their own (this program run with <c>--simulators</c>, see
/// <see cref="SimulatorServer"/>), driven one command at a time.
/// </summary>
public sealed class SimulatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private SimulatorProcess(Process process, JsonNode ready)
    {
        _process = process;
        ServiceNow = new Uri(ready["serviceNow"]!.GetValue<string>());
        ResourceManager = new Uri(ready["resourceManager"]!.GetValue<string>());
        KeyVault = new Uri(ready["keyVault"]!.GetValue<string>());
    }

    public Uri ServiceNow { get; }

    public Uri ResourceManager { get; }

    public Uri KeyVault { get; }

    public static async Task<SimulatorProcess> StartAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(SimulatorProcess).Assembly.Location, SimulatorServer.Argument },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("The simulators' process did not start.");
        try
        {
            return new SimulatorProcess(process, await ReadReplyAsync(process).ConfigureAwait(false));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>The process's working set now, to report next to ours.</summary>
    public long WorkingSet
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    public async Task<JsonNode> SendAsync(JsonObject command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _process.StandardInput.WriteLineAsync(command.ToJsonString().AsMemory(), cancellationToken).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
            var reply = await ReadReplyAsync(_process).ConfigureAwait(false);
            return reply["error"] is { } error
                ? throw new InvalidOperationException($"The simulators refused '{command["op"]}': {error.GetValue<string>()}")
                : reply;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<JsonNode> ReadReplyAsync(Process process)
    {
        while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith(SimulatorServer.ReplyPrefix, StringComparison.Ordinal))
            {
                return JsonNode.Parse(line[SimulatorServer.ReplyPrefix.Length..])!;
            }
        }

        throw new InvalidOperationException($"The simulators' process ended (exit code {(process.HasExited ? process.ExitCode : -1)}).");
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(10_000))
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
        _gate.Dispose();
    }
}
