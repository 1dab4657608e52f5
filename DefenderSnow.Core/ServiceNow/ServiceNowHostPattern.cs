using System.Text.RegularExpressions;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>An allow-list entry: an exact host, or <c>*.domain</c> where <c>*</c> is exactly one DNS label.</summary>
internal static partial class ServiceNowHostPattern
{
    public static bool IsValid(string? pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return false;
        }

        var host = pattern.StartsWith("*.", StringComparison.Ordinal) ? pattern[2..] : pattern;
        return HostName().IsMatch(host) && host.Contains('.', StringComparison.Ordinal);
    }

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
