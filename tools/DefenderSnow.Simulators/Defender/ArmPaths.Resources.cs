using System.Text.RegularExpressions;

namespace DefenderSnow.Simulators.Defender;

internal static partial class ArmPaths
{
    [GeneratedRegex(@"^/subscriptions/(?<sub>[^/]+)/resources/?$", RegexOptions.IgnoreCase)]
    private static partial Regex ResourcesPattern();
}
