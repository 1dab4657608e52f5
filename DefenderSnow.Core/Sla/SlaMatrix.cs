using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Findings;

namespace DefenderSnow.Core.Sla;

/// <summary>
/// An integration's remediation SLA: the days a ticket gets to its due date by Defender's risk level of the finding and by
/// the recommendation's severity, and whether those tickets get Defender's grace period. Either table may be absent, not
/// both; a table that is present names every level, so that every finding gets an answer.
/// </summary>
/// <remarks>
/// Which wins when both could apply: the <b>risk level</b>, when Defender reports one for the finding and the matrix has a
/// risk table, since Defender computes it per resource from its context (internet exposure, sensitive data, attack paths)
/// while a severity is the same for every resource of a recommendation. Otherwise the <b>severity</b>; a matrix with only a
/// risk table reads a finding without a risk level by its severity's name (the two scales share their names). A level
/// DefenderSnow does not know gets the table's fewest days, as an unknown severity is ranked highest everywhere
/// (<see cref="FindingSeverity"/>); a finding without a severity gets Low's, as it gets Low's ticket priority.
/// </remarks>
/// <param name="GracePeriod">
/// Defender's grace period (the governance assignment's <c>isGracePeriod</c>: the finding does not lower the secure score
/// until the due date) for tickets whose due date comes from the matrix.
/// </param>
public sealed record SlaMatrix(
    IReadOnlyDictionary<AssessmentSeverity, int>? BySeverity,
    IReadOnlyDictionary<RiskLevel, int>? ByRiskLevel,
    bool GracePeriod)
{
    /// <summary>The days of the finding's due date, and the entry they come from (<c>slaMatrix.riskLevel.High</c>).</summary>
    /// <param name="severity">The recommendation's severity: a contract name, an unrecognized value, or null.</param>
    /// <param name="riskLevel">Defender's risk level of the finding, as Defender wrote it, or null.</param>
    public SlaDays DaysFor(string? severity, string? riskLevel)
    {
        if (ByRiskLevel is { Count: > 0 } byRisk)
        {
            if (!string.IsNullOrWhiteSpace(riskLevel))
            {
                return Pick(byRisk, riskLevel, "riskLevel");
            }

            if (BySeverity is not { Count: > 0 })
            {
                // Without a risk level, the severity's name reads the risk table; no severity reads as Low.
                return Pick(byRisk, string.IsNullOrWhiteSpace(severity) ? RiskLevel.Low.ToContract() : severity, "riskLevel");
            }
        }

        var bySeverity = BySeverity ?? throw new InvalidOperationException("An SLA matrix has a severity or a risk level table.");
        return Pick(bySeverity, string.IsNullOrWhiteSpace(severity) ? AssessmentSeverity.Low.ToContract() : severity, "severity");
    }

    /// <summary>The tables under their levels' contract names, as the contract and the stored row show them.</summary>
    public SlaMatrixRequest ToRequest() => new(ByName(BySeverity), ByName(ByRiskLevel), GracePeriod);

    /// <summary>By value, so that an integration read back equals the one written.</summary>
    public bool Equals(SlaMatrix? other) =>
        other is not null && GracePeriod == other.GracePeriod && Same(BySeverity, other.BySeverity) && Same(ByRiskLevel, other.ByRiskLevel);

    public override int GetHashCode() => HashCode.Combine(GracePeriod, BySeverity?.Count, ByRiskLevel?.Count);

    private static SlaDays Pick<T>(IReadOnlyDictionary<T, int> table, string level, string tableName)
        where T : struct, Enum
    {
        // Read without case, as rules read severities and risk levels: Defender's values are strings that may vary.
        if (ContractNames.TryParseIgnoringCase(level, out T known) && table.TryGetValue(known, out var days))
        {
            return new SlaDays(days, $"{SlaMatrixParser.Path}.{tableName}.{known.ToContract()}");
        }

        var fewest = table.MinBy(e => e.Value);
        return new SlaDays(fewest.Value, $"{SlaMatrixParser.Path}.{tableName}.{fewest.Key.ToContract()} (the fewest days, for the unknown level '{level}')");
    }

    private static Dictionary<string, int?>? ByName<T>(IReadOnlyDictionary<T, int>? table)
        where T : struct, Enum =>
        table?.OrderBy(e => e.Key).ToDictionary(e => e.Key.ToContract(), e => (int?)e.Value, StringComparer.Ordinal);

    private static bool Same<T>(IReadOnlyDictionary<T, int>? a, IReadOnlyDictionary<T, int>? b)
        where T : struct, Enum =>
        a is null || b is null ? a is null && b is null : a.Count == b.Count && a.All(e => b.TryGetValue(e.Key, out var v) && v == e.Value);
}

/// <summary>The days to a due date and the matrix entry they come from, for logs and work notes.</summary>
public sealed record SlaDays(int Days, string Source);

/// <summary>
/// An SLA matrix in a request (and in the stored row): days by severity and by risk level under their contract names
/// (<c>Low</c>, <c>Medium</c>, <c>High</c>, <c>Critical</c>), and the grace period. An empty object removes the matrix.
/// </summary>
public sealed record SlaMatrixRequest(
    IReadOnlyDictionary<string, int?>? Severity = null,
    IReadOnlyDictionary<string, int?>? RiskLevel = null,
    bool? GracePeriod = null);
