using System.Net.Sockets;
using DefenderSnow.Core.Hosting;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// The primary handler of every ServiceNow request. The instance policy checks the URL's host name;
/// this checks the addresses that name resolves to when the connection is made, and connects only to
/// public ones unless private addresses are allowed. TLS validation follows
/// <see cref="LoopbackCertificatePolicy"/>.
/// </summary>
internal static class ServiceNowConnectionHandler
{
    public static SocketsHttpHandler Create(bool trustLoopbackCertificates, bool allowPrivateAddresses, IHostAddressResolver resolver)
    {
        var handler = LoopbackCertificatePolicy.CreateHandler(trustLoopbackCertificates);
        handler.ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, allowPrivateAddresses, resolver, cancellationToken);
        return handler;
    }

    internal static async ValueTask<Stream> ConnectAsync(string host, int port, bool allowPrivateAddresses, IHostAddressResolver resolver, CancellationToken cancellationToken)
    {
        var addresses = await resolver.ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        var usable = allowPrivateAddresses ? addresses : addresses.Where(PublicAddress.IsPublic).ToArray();
        if (usable.Length == 0)
        {
            throw new ServiceNowAddressRefusedException(host);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable, port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
