using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;

namespace DefenderSnow.Core.Findings;

/// <summary>
/// How a finding's severity (a contract name, an unrecognized value as Defender wrote it, or null) ranks: the one place
/// rules, tickets and reports ask, so that an unrecognized severity is treated as the highest everywhere.
/// </summary>
public static class FindingSeverity
{
    /// <summary>Above every known severity: an unrecognized one is likely newer and more urgent, never the lowest.</summary>
    public const int UnrecognizedRank = int.MaxValue;

    /// <summary>The known severity a name stands for (without regard to case).</summary>
    public static bool TryParse(string? severity, out AssessmentSeverity parsed) =>
        ContractNames.TryParseIgnoringCase(severity, out parsed);

    /// <summary>Whether Defender gave a severity DefenderSnow does not know.</summary>
    public static bool IsUnrecognized(string? severity) => !string.IsNullOrWhiteSpace(severity) && !TryParse(severity, out _);

    /// <summary>
    /// The rank of a severity (Low &lt; Medium &lt; High &lt; Critical &lt; unrecognized), or null when there is none:
    /// a finding without a severity meets no minimum.
    /// </summary>
    public static int? Rank(string? severity) =>
        TryParse(severity, out var parsed) ? (int)parsed : IsUnrecognized(severity) ? UnrecognizedRank : null;
}
