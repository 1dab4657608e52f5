using System.Net;

namespace DefenderSnow.Core.Hosting;

/// <summary>Decides whether a URI names this machine, by literal address or the name <c>localhost</c>.</summary>
public static class LoopbackAddress
{
    public static bool IsLoopback(Uri? uri) => uri is not null && IsLoopbackHost(uri.IdnHost);

    public static bool IsLoopbackHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }
}
