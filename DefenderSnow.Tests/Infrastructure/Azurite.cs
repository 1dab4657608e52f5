using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>
/// The Azurite Table and Queue services the tests run against. When <c>DEFENDERSNOW_TEST_STORAGE</c> names a
/// connection string (with both endpoints), that is used; otherwise Azurite is started from the repository's
/// <c>node_modules</c>, in memory, on free loopback ports, on first use, and stopped when the run ends.
/// </summary>
public static class Azurite
{
    private const string WellKnownAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Process? _process;
    private static string? _connectionString;
    private static string? _workspace;

    public static async Task<string> GetConnectionStringAsync()
    {
        if (_connectionString is not null)
        {
            return _connectionString;
        }

        await Gate.WaitAsync();
        try
        {
            _connectionString ??= Environment.GetEnvironmentVariable("DEFENDERSNOW_TEST_STORAGE") is { Length: > 0 } configured
                ? configured
                : await StartAsync();
            return _connectionString;
        }
        finally
        {
            Gate.Release();
        }
    }

    public static void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        _process = null;
        _connectionString = null;
        if (_workspace is not null && Directory.Exists(_workspace))
        {
            Directory.Delete(_workspace, recursive: true);
        }

        _workspace = null;
    }

    private static async Task<string> StartAsync()
    {
        var root = RepositoryRoot();
        // The combined executable serves both services from one process; its blob service is not needed.
        var executable = Path.Combine(root, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed at {executable}. Run the README's test command (it runs `npm ci` first) or `npm ci`.");
        }

        var port = FreePort();
        var queuePort = FreePort();
        var blobPort = FreePort();
        var workspace = _workspace = Directory.CreateTempSubdirectory("defendersnow-azurite-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--inMemoryPersistence", "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--tableHost", "127.0.0.1", "--tablePort", port.ToString(),
                "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(), "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString() },
            // Azurite writes nothing in memory mode, but keep any stray file out of the repository.
            WorkingDirectory = workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { TestContext.Progress.WriteLine($"azurite: {e.Data}"); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Azurite prints before it listens; the port accepting a connection is the real signal.
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} before listening.");
            }

            try
            {
                foreach (var listening in new[] { port, queuePort })
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, listening);
                }

                return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={WellKnownAccountKey};"
                    + $"TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;";
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        Stop();
        throw new InvalidOperationException("Azurite did not listen within 30 seconds.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DefenderSnow.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Could not find the repository root (DefenderSnow.sln) above the test binaries.");
    }
}
