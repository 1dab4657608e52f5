using System.Net;
using System.Net.Sockets;

namespace DefenderSnow.Benchmark;

/// <summary>Ports for the local processes the benchmark and the tests start (Azurite, the simulators, the Functions host).</summary>
public static class LoopbackPort
{
    /// <summary>A loopback port free at the moment of asking: the system picks it, the listener lets it go again.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
