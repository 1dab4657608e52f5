using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using DefenderSnow.Benchmark;

namespace DefenderSnow.Tests.Simulators;

/// <summary>
/// The simulators program that <c>run-local.sh</c> starts stops cleanly on SIGTERM and on Ctrl+C (SIGINT): exit code 0,
/// nothing on stderr, and its three ports free again, so a local run never leaves ports held (issue 9).
/// </summary>
[TestFixture]
[Platform("Linux,MacOsX")]
public sealed class SimulatorsProgramTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    [TestCase(SigTerm)]
    [TestCase(SigInt)]
    public async Task A_signal_stops_the_program_cleanly_and_frees_its_ports(int signal)
    {
        var ports = Enumerable.Range(0, 3).Select(_ => LoopbackPort.Free()).ToArray();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "DefenderSnow.Simulators.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["SIM_SERVICENOW_PORT"] = ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["SIM_ARM_PORT"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["SIM_KEYVAULT_PORT"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture);

        // A bound so that a program that ignores the signal fails the test instead of hanging it.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var program = Process.Start(start)!;
        try
        {
            var errors = program.StandardError.ReadToEndAsync(bound.Token);
            string? line;
            while ((line = await program.StandardOutput.ReadLineAsync(bound.Token)) is not null && !line.Contains("are running", StringComparison.Ordinal))
            {
            }

            Assert.That(line, Is.Not.Null, "the program did not start");
            Assert.That(Kill(program.Id, signal), Is.Zero);
            await program.WaitForExitAsync(bound.Token);

            Assert.Multiple(async () =>
            {
                Assert.That(program.ExitCode, Is.Zero);
                Assert.That(await errors, Is.Empty);
                foreach (var port in ports)
                {
                    Assert.That(CanListen(port), Is.True, $"port {port} is still held");
                }
            });
        }
        finally
        {
            if (!program.HasExited)
            {
                program.Kill();
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static bool CanListen(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
