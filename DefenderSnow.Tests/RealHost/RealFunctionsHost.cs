using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using DefenderSnow.Benchmark;

namespace DefenderSnow.Tests.RealHost;

/// <summary>
/// The real Functions host as a child process on a free loopback port, running the built worker with file secrets
/// (a master key and one function key), the app settings as environment variables and console logging on. Every
/// line it prints is kept, so a test can ask whether the app's own log lines reached the host.
/// </summary>
public sealed class RealFunctionsHost : IAsyncDisposable
{
    public const string MasterKey = "real-host-master-key-0123456789abcdefghij";
    public const string FunctionKey = "real-host-function-key-0123456789abcdefgh";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<(DateTime At, string Line)> _timeline = new();
    private readonly string _secrets;

    private RealFunctionsHost(Process process, string secrets, Uri baseUri)
    {
        _process = process;
        _secrets = secrets;
        BaseUri = baseUri;
        Client = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(100) };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
    }

    public Uri BaseUri { get; }

    /// <summary>Sends no key: tests add <c>x-functions-key</c> where the call needs one.</summary>
    public HttpClient Client { get; }

    public static async Task<RealFunctionsHost> StartAsync(FunctionsHostBinaries binaries, string workerOutput, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var port = LoopbackPort.Free();
        var secrets = Directory.CreateTempSubdirectory("defendersnow-host-secrets-").FullName;
        // The file secrets repository's format (azure-functions-host FileSystemSecretsRepository, HostSecrets).
        await File.WriteAllTextAsync(Path.Combine(secrets, "host.json"), $$"""
            {"masterKey":{"name":"master","value":"{{MasterKey}}","encrypted":false},
             "functionKeys":[{"name":"default","value":"{{FunctionKey}}","encrypted":false}],
             "systemKeys":[],"hostName":null,"instanceId":"local","source":"runtime","decryptionKeyId":""}
            """, cancellationToken);

        var start = new ProcessStartInfo(binaries.FileName)
        {
            WorkingDirectory = binaries.WorkingDirectory ?? workerOutput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in binaries.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The host takes CONTAINER_NAME for Linux Consumption (shared host README); this machine sets it.
        start.Environment.Remove("CONTAINER_NAME");
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        start.Environment["AzureWebJobsScriptRoot"] = workerOutput;
        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["languageWorkers__dotnet-isolated__workerDirectory"] = workerOutput;
        start.Environment["AzureWebJobsSecretStorageType"] = "files";
        start.Environment["FUNCTIONS_SECRETS_PATH"] = secrets;
        // In Production the host prints nothing to stdout unless console logging is on.
        start.Environment["AzureFunctionsJobHost__Logging__Console__IsEnabled"] = "true";
        // The host's own storage SDK logs every request at Information; the app's lines are what the tests read.
        start.Environment["AzureFunctionsJobHost__logging__logLevel__Azure.Core"] = "Warning";
        if (binaries.IsCoreTools)
        {
            start.ArgumentList.Add("--port");
            start.ArgumentList.Add($"{port}");
        }
        else
        {
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{binaries.Description} did not start.");
        var host = new RealFunctionsHost(process, secrets, new Uri($"http://127.0.0.1:{port}/"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await host.WaitUntilRunningAsync(cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>The lines that match, each with when it was printed: for a failure message that has to explain a delay.</summary>
    public string Timeline(Func<string, bool> match) =>
        string.Join('\n', _timeline.Where(t => match(t.Line)).Select(t => $"{t.At:HH:mm:ss.fff} {t.Line.Trim()}"));

    /// <summary>Everything the host has printed so far.</summary>
    public string Output() => string.Join('\n', _lines);

    public static HttpRequestMessage Request(HttpMethod method, string path, string? key)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        return request;
    }

    /// <summary>Runs a non-HTTP function (a timer) the way the host's admin API does: <c>POST admin/functions/{name}</c>.</summary>
    public async Task<HttpStatusCode> RunFunctionAsync(string name, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, $"admin/functions/{name}", MasterKey);
        request.Content = new StringContent("""{"input":""}""", Encoding.UTF8, "application/json");
        using var response = await Client.SendAsync(request, cancellationToken);
        return response.StatusCode;
    }

    /// <summary>Waits (up to <paramref name="timeout"/>, a safety net, not an assertion) for a line the host prints.</summary>
    public async Task<string?> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            if (_lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            await Task.Delay(100, cancellationToken);
        }

        return _lines.FirstOrDefault(match);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _process.Dispose();
        Directory.Delete(_secrets, recursive: true);
    }

    private async Task WaitUntilRunningAsync(CancellationToken cancellationToken)
    {
        // The host answers its status before the worker has indexed the functions: ready is Running plus a
        // non-empty function list (both admin API, master key).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The Functions host exited ({_process.ExitCode}):\n{Tail()}");
            }

            try
            {
                using var statusRequest = Request(HttpMethod.Get, "admin/host/status", MasterKey);
                using var status = await Client.SendAsync(statusRequest, cancellationToken);
                if (status.IsSuccessStatusCode && JsonNode.Parse(await status.Content.ReadAsStringAsync(cancellationToken))?["state"]?.GetValue<string>() == "Running")
                {
                    using var functionsRequest = Request(HttpMethod.Get, "admin/functions", MasterKey);
                    using var functions = await Client.SendAsync(functionsRequest, cancellationToken);
                    if (functions.IsSuccessStatusCode && JsonNode.Parse(await functions.Content.ReadAsStringAsync(cancellationToken)) is JsonArray { Count: > 0 })
                    {
                        return;
                    }
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new TimeoutException($"The Functions host was not running with its functions indexed within 120 s:\n{Tail()}");
    }

    private string Tail() => string.Join('\n', _lines.TakeLast(60));

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
            _timeline.Enqueue((DateTime.UtcNow, line));
        }
    }
}
