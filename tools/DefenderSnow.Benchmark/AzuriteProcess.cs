using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DefenderSnow.Benchmark;

/// <summary>
/// Azurite's Table, Queue and Blob services, in memory, on free loopback ports, for one benchmark or test run. The
/// app uses tables and queues; the real Functions host also needs blobs (its host id lock and timer schedule monitor).
/// </summary>
public sealed class AzuriteProcess : IDisposable
{
    private const string WellKnownAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly Process _process;
    private readonly string _workspace;

    private AzuriteProcess(Process process, string workspace, string connectionString)
    {
        _process = process;
        _workspace = workspace;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    /// <summary>Starts Azurite.</summary>
    /// <param name="indexedTables">
    /// Preload <c>azurite-table-index.js</c>, which makes Azurite's table store find a row by its keys and read a query
    /// from its place in key order, as Azure Table Storage does, instead of scanning and sorting the whole table: the
    /// benchmark's default, so that it measures the app rather than the emulator. The test suite runs stock Azurite
    /// (and can run the indexed one, <c>DEFENDERSNOW_TEST_AZURITE_INDEXED=1</c>, to check that it answers the same).
    /// </param>
    public static async Task<AzuriteProcess> StartAsync(bool indexedTables = false)
    {
        var root = RepositoryRoot();
        var script = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"Azurite is not installed at {script}: run `npm ci` in the repository first (test.sh does), or name running storage (the benchmark's --storage).");
        }

        var (table, queue, blob) = (LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free());
        var workspace = Directory.CreateTempSubdirectory("defendersnow-benchmark-azurite-").FullName;
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { "--inMemoryPersistence", "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--tableHost", "127.0.0.1", "--tablePort", $"{table}",
                "--queueHost", "127.0.0.1", "--queuePort", $"{queue}", "--blobHost", "127.0.0.1", "--blobPort", $"{blob}" },
            WorkingDirectory = workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Insert(0, script);
        if (indexedTables)
        {
            start.ArgumentList.Insert(0, Path.Combine(root, "tools", "DefenderSnow.Benchmark", "azurite-table-index.js"));
            start.ArgumentList.Insert(0, "--require");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new AzuriteProcess(process, workspace, $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={WellKnownAccountKey};"
            + $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;");

        // Azurite prints before it listens; a port accepting a connection is the real signal.
        for (var attempt = 0; attempt < 300; attempt++)
        {
            try
            {
                foreach (var port in new[] { table, queue, blob })
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                }

                return azurite;
            }
            catch (SocketException) when (!process.HasExited)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }

        azurite.Dispose();
        throw new InvalidOperationException("Azurite did not listen within 30 seconds.");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
        Directory.Delete(_workspace, recursive: true);
    }

    /// <summary>The folder holding DefenderSnow.sln, found above the running binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DefenderSnow.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Could not find the repository root (DefenderSnow.sln) above the benchmark's binaries.");
    }
}
