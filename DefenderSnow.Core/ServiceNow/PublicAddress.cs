using System.Net;
using System.Net.Sockets;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// Tells addresses on the public internet from loopback, private, link-local, shared and other special
/// ranges, where no ServiceNow instance lives but internal services (metadata endpoints, admin
/// consoles) do. Addresses that carry an IPv4 address inside an IPv6 one (IPv4-mapped, NAT64, 6to4)
/// are judged by the IPv4 address they lead to.
/// </summary>
public static class PublicAddress
{
    /// <summary>
    /// The IANA IPv4 special-purpose address registry
    /// (https://www.iana.org/assignments/iana-ipv4-special-registry), plus multicast (RFC 5771) and the
    /// reserved 240.0.0.0/4 (RFC 1112). Every range is refused whole, even where the registry marks a
    /// few addresses of it globally reachable: no ServiceNow instance lives there.
    /// </summary>
    internal static readonly IReadOnlyList<IPNetwork> SpecialIPv4 =
    [
        IPNetwork.Parse("0.0.0.0/8"),          // "this network" (RFC 791)
        IPNetwork.Parse("10.0.0.0/8"),         // private (RFC 1918)
        IPNetwork.Parse("100.64.0.0/10"),      // shared address space, carrier-grade NAT (RFC 6598)
        IPNetwork.Parse("127.0.0.0/8"),        // loopback (RFC 1122)
        IPNetwork.Parse("169.254.0.0/16"),     // link-local, cloud metadata endpoints (RFC 3927)
        IPNetwork.Parse("172.16.0.0/12"),      // private (RFC 1918)
        IPNetwork.Parse("192.0.0.0/24"),       // IETF protocol assignments (RFC 6890)
        IPNetwork.Parse("192.0.2.0/24"),       // documentation TEST-NET-1 (RFC 5737)
        IPNetwork.Parse("192.31.196.0/24"),    // AS112-v4 (RFC 7535)
        IPNetwork.Parse("192.52.193.0/24"),    // AMT (RFC 7450)
        IPNetwork.Parse("192.88.99.0/24"),     // deprecated 6to4 relay anycast (RFC 7526)
        IPNetwork.Parse("192.168.0.0/16"),     // private (RFC 1918)
        IPNetwork.Parse("192.175.48.0/24"),    // direct delegation AS112 service (RFC 7534)
        IPNetwork.Parse("198.18.0.0/15"),      // benchmarking (RFC 2544)
        IPNetwork.Parse("198.51.100.0/24"),    // documentation TEST-NET-2 (RFC 5737)
        IPNetwork.Parse("203.0.113.0/24"),     // documentation TEST-NET-3 (RFC 5737)
        IPNetwork.Parse("224.0.0.0/4"),        // multicast (RFC 5771)
        IPNetwork.Parse("240.0.0.0/4"),        // reserved, and the limited broadcast 255.255.255.255 (RFC 1112, RFC 919)
    ];

    /// <summary>
    /// The IANA IPv6 special-purpose address registry
    /// (https://www.iana.org/assignments/iana-ipv6-special-registry), plus multicast and the deprecated
    /// site-local range. The ranges that embed an IPv4 address are in <see cref="EmbeddedIPv4"/> instead.
    /// </summary>
    internal static readonly IReadOnlyList<IPNetwork> SpecialIPv6 =
    [
        IPNetwork.Parse("::/128"),             // unspecified (RFC 4291)
        IPNetwork.Parse("::1/128"),            // loopback (RFC 4291)
        IPNetwork.Parse("::/96"),              // deprecated IPv4-compatible addresses (RFC 4291)
        IPNetwork.Parse("64:ff9b:1::/48"),     // local-use IPv4/IPv6 translation (RFC 8215)
        IPNetwork.Parse("100::/64"),           // discard-only (RFC 6666)
        IPNetwork.Parse("2001::/23"),          // IETF protocol assignments, Teredo among them (RFC 2928, RFC 4380)
        IPNetwork.Parse("2001:db8::/32"),      // documentation (RFC 3849)
        IPNetwork.Parse("3fff::/20"),          // documentation (RFC 9637)
        IPNetwork.Parse("5f00::/16"),          // segment routing SIDs (RFC 9602)
        IPNetwork.Parse("fc00::/7"),           // unique local (RFC 4193)
        IPNetwork.Parse("fe80::/10"),          // link-local (RFC 4291)
        IPNetwork.Parse("fec0::/10"),          // deprecated site-local (RFC 3879)
        IPNetwork.Parse("ff00::/8"),           // multicast (RFC 4291)
    ];

    /// <summary>
    /// IPv6 ranges that lead to an IPv4 address, and where in the address it sits. IPv4-mapped addresses
    /// (RFC 4291) are unwrapped first, apart from this table: <see cref="IPNetwork.Contains"/> does not
    /// compare them bit by bit (it answers true for ::ffff:10.0.0.1 in 2000::/3).
    /// </summary>
    internal static readonly IReadOnlyList<(IPNetwork Range, int Offset)> EmbeddedIPv4 =
    [
        (IPNetwork.Parse("64:ff9b::/96"), 12),     // NAT64 well-known prefix (RFC 6052)
        (IPNetwork.Parse("2002::/16"), 2),         // 6to4 (RFC 3056)
    ];

    private static readonly IPNetwork GlobalUnicast = IPNetwork.Parse("2000::/3");

    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return !SpecialIPv4.Any(range => range.Contains(address));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || address.ScopeId != 0)
        {
            return false;
        }

        // Scope ids are irrelevant to the ranges; compare the bare address.
        var bare = new IPAddress(address.GetAddressBytes());
        foreach (var (range, offset) in EmbeddedIPv4)
        {
            if (range.Contains(bare))
            {
                return IsPublic(new IPAddress(bare.GetAddressBytes().AsSpan(offset, 4)));
            }
        }

        // Only global unicast (2000::/3) is routed on the internet today; everything else is special or unassigned.
        return GlobalUnicast.Contains(bare) && !SpecialIPv6.Any(range => range.Contains(bare));
    }
}
