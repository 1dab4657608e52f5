using DefenderSnow.Benchmark;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>
/// The Azurite Table and Queue services the tests run against. When <c>DEFENDERSNOW_TEST_STORAGE</c> names a
/// connection string (with both endpoints), that is used; otherwise Azurite is started from the repository's
/// <c>node_modules</c>, in memory, on free loopback ports, on first use (the benchmark's launcher), and stopped
/// when the run ends. <c>DEFENDERSNOW_TEST_AZURITE_INDEXED=1</c> runs it with the benchmark's table index, to check that
/// the index changes nothing the app can see.
/// </summary>
public static class Azurite
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static AzuriteProcess? _process;
    private static string? _connectionString;

    public static async Task<string> GetConnectionStringAsync()
    {
        if (_connectionString is not null)
        {
            return _connectionString;
        }

        await Gate.WaitAsync();
        try
        {
            if (_connectionString is null)
            {
                if (Environment.GetEnvironmentVariable("DEFENDERSNOW_TEST_STORAGE") is { Length: > 0 } configured)
                {
                    _connectionString = configured;
                }
                else
                {
                    _process = await AzuriteProcess.StartAsync(indexedTables: Environment.GetEnvironmentVariable("DEFENDERSNOW_TEST_AZURITE_INDEXED") == "1");
                    _connectionString = _process.ConnectionString;
                }
            }

            return _connectionString;
        }
        finally
        {
            Gate.Release();
        }
    }

    public static void Stop()
    {
        _process?.Dispose();
        _process = null;
        _connectionString = null;
    }

    public static string RepositoryRoot() => AzuriteProcess.RepositoryRoot();
}
