using System.Text.RegularExpressions;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// An allow-list entry: an exact host (optionally with <c>:port</c>), or <c>*.domain</c> where <c>*</c> is
/// exactly one DNS label. Internationalised names are written in their ASCII (<c>xn--</c>) form.
/// </summary>
internal static partial class ServiceNowHostPattern
{
    public static bool IsValid(string? pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return false;
        }

        var wildcard = pattern.StartsWith("*.", StringComparison.Ordinal);
        var host = wildcard ? pattern[2..] : pattern;
        var colon = host.LastIndexOf(':');
        if (colon >= 0)
        {
            // A port belongs to one named host only: a wildcard with a port would open a port on a whole domain.
            if (wildcard || !ushort.TryParse(host[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port == 0)
            {
                return false;
            }

            host = host[..colon];
        }

        return HostName().IsMatch(host) && host.Contains('.', StringComparison.Ordinal);
    }

    /// <summary>Whether the entry names this host exactly: on 443 when it gives no port, else on its port.</summary>
    public static bool NamesExactly(string pattern, string host, int port) =>
        !pattern.StartsWith("*.", StringComparison.Ordinal)
        && (string.Equals(pattern, host + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.OrdinalIgnoreCase)
            || (port == 443 && string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase)));

    /// <summary>Whether the entry admits the host (on the standard port; see <see cref="NamesExactly"/> for others).</summary>
    public static bool Matches(string pattern, string host)
    {
        if (!pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            return string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase);
        }

        var suffix = pattern[1..];
        if (!host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // One label only: "*.service-now.com" must not admit "evil.example.service-now.com" by accident of depth.
        var label = host[..^suffix.Length];
        return Label().IsMatch(label);
    }

    [GeneratedRegex("^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HostName();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Label();
}
