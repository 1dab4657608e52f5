using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using DefenderSnow.Tests.Infrastructure;

namespace DefenderSnow.Tests.RealHost;

/// <summary>
/// Where the real Azure Functions host comes from: Core Tools' <c>func</c> when it is on the PATH (what a new user
/// runs), otherwise the host built from Azure/azure-functions-host's public source that CI keeps beside the checkout
/// (<c>../shared/functions-host/hostbin.tgz</c>, see its README), extracted once per checksum to a temporary folder.
/// </summary>
public sealed record FunctionsHostBinaries(string Description, string FileName, IReadOnlyList<string> Arguments, string? WorkingDirectory, bool IsCoreTools)
{
    /// <summary>Set to <c>1</c> in CI: the tier fails instead of skipping when no host is found.</summary>
    public const string RequiredVariable = "DEFENDERSNOW_REQUIRE_REAL_HOST";

    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static string SharedArchive => Path.GetFullPath(Path.Combine(Azurite.RepositoryRoot(), "..", "shared", "functions-host", "hostbin.tgz"));

    /// <summary>The host to run, or null with the one-line reason there is none.</summary>
    public static async Task<(FunctionsHostBinaries? Host, string Reason)> FindAsync()
    {
        if (FindOnPath("func") is { } func)
        {
            // --enableAuth: without it Core Tools lets every call through, unlike Azure and the host itself.
            return (new FunctionsHostBinaries($"Core Tools ({func})", func, ["host", "start", "--enableAuth"], WorkingDirectory: null, IsCoreTools: true), string.Empty);
        }

        var archive = SharedArchive;
        if (!File.Exists(archive))
        {
            return (null, $"No real Functions host: neither `func` on the PATH nor {archive}.");
        }

        var folder = await ExtractOnceAsync(archive);
        return (new FunctionsHostBinaries($"the shared host ({archive})", "dotnet", [Path.Combine(folder, "Microsoft.Azure.WebJobs.Script.WebHost.dll")], folder, IsCoreTools: false), string.Empty);
    }

    private static async Task<string> ExtractOnceAsync(string archive)
    {
        var checksumFile = archive + ".sha256";
        var checksum = File.Exists(checksumFile)
            ? (await File.ReadAllTextAsync(checksumFile)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]
            : File.GetLastWriteTimeUtc(archive).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var root = Path.Combine(Path.GetTempPath(), "defendersnow-functions-host", checksum[..Math.Min(16, checksum.Length)]);
        var hostFolder = Path.Combine(root, "hostbin");
        var done = Path.Combine(root, ".extracted");
        await Gate.WaitAsync();
        try
        {
            if (!File.Exists(done))
            {
                // The shared folder is read-only; a partial extraction from an interrupted run is started again.
                if (Directory.Exists(root))
                {
                    Directory.Delete(root, recursive: true);
                }

                Directory.CreateDirectory(root);
                await using (var file = File.OpenRead(archive))
                await using (var gzip = new GZipStream(file, CompressionMode.Decompress))
                {
                    await TarFile.ExtractToDirectoryAsync(gzip, root, overwriteFiles: true);
                }

                // The host looks for its language workers under its own folder.
                Directory.CreateDirectory(Path.Combine(hostFolder, "workers"));
                await File.WriteAllTextAsync(done, checksum);
            }

            return hostFolder;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(path => File.Exists(path) && IsRunnable(path));

    private static bool IsRunnable(string path)
    {
        // npm's azure-functions-core-tools leaves a `func` shim whose binary download may have failed.
        try
        {
            using var probe = Process.Start(new ProcessStartInfo(path, "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            return probe is not null && probe.WaitForExit(30_000) && probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
