using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace DefenderSnow.Tests.Secrets;

/// <summary>
/// Forwards TCP from one of this machine's non-loopback addresses to a loopback port, so a test can
/// reach a simulator through an address the app must treat as remote.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private TcpRelay(TcpListener listener, int targetPort)
    {
        _listener = listener;
        _targetPort = targetPort;
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>A relay on the first non-loopback IPv4 address, or <c>null</c> when the machine has none.</summary>
    public static TcpRelay? TryStart(int targetPort)
    {
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (address is null)
        {
            return null;
        }

        var listener = new TcpListener(address, 0);
        listener.Start();
        return new TcpRelay(listener, targetPort);
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = PipeAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        using (client)
        using (var target = new TcpClient())
        {
            try
            {
                await target.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                await using var clientStream = client.GetStream();
                await using var targetStream = target.GetStream();
                await Task.WhenAny(
                    clientStream.CopyToAsync(targetStream, _stop.Token),
                    targetStream.CopyToAsync(clientStream, _stop.Token));
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // Either side hung up.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
