using System.Text.RegularExpressions;

namespace DefenderSnow.Simulators.Defender;

internal static partial class ArmPaths
{
    [GeneratedRegex(@"^/subscriptions/(?<sub>[^/]+)/providers/Microsoft\.Security/securityConnectors/?$", RegexOptions.IgnoreCase)]
    private static partial Regex SecurityConnectorsPattern();
}
