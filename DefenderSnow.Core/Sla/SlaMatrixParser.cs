using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Integrations;

namespace DefenderSnow.Core.Sla;

/// <summary>
/// Checks a requested SLA matrix and names each entry at fault (<c>slaMatrix.severity.High</c>): known levels only, every
/// level of a table given, 1 to 365 days each (what a request's <c>remediationTimeframeDays</c> may be), and never more days
/// for a higher level than for a lower one, which is always a slip (Critical 90, Low 7).
/// </summary>
internal static class SlaMatrixParser
{
    public const string Path = "slaMatrix";

    /// <summary>
    /// The matrix a request gives (it replaces the integration's whole matrix), or null for an empty object, which removes
    /// it. Problems go to <paramref name="check"/>; null then too.
    /// </summary>
    public static SlaMatrix? Parse(IntegrationValidation check, SlaMatrixRequest requested)
    {
        if (requested is { Severity: null, RiskLevel: null })
        {
            if (requested.GracePeriod is not null)
            {
                check.Add(Path, "Give severity or riskLevel days (or an empty object to remove the matrix).");
            }

            return null;
        }

        var bySeverity = Table<AssessmentSeverity>(check, requested.Severity, "severity");
        var byRisk = Table<RiskLevel>(check, requested.RiskLevel, "riskLevel");
        var valid = (requested.Severity is null || bySeverity is not null) && (requested.RiskLevel is null || byRisk is not null);
        return valid ? new SlaMatrix(bySeverity, byRisk, requested.GracePeriod ?? false) : null;
    }

    /// <summary>A stored matrix, which was checked when written.</summary>
    /// <exception cref="Errors.ValidationException">The stored value is not a valid matrix.</exception>
    public static SlaMatrix? ParseStored(SlaMatrixRequest stored)
    {
        var check = new IntegrationValidation();
        var matrix = Parse(check, stored);
        check.ThrowIfInvalid();
        return matrix;
    }

    /// <summary>One table, or null when left out or when any entry is at fault.</summary>
    private static Dictionary<T, int>? Table<T>(IntegrationValidation check, IReadOnlyDictionary<string, int?>? requested, string name)
        where T : struct, Enum
    {
        if (requested is null)
        {
            return null;
        }

        var at = $"{Path}.{name}";
        var valid = true;
        var table = new Dictionary<T, int>();
        foreach (var (key, days) in requested)
        {
            if (!ContractNames.TryParse(key, out T level))
            {
                valid = Fail(check, $"{at}.{key}", $"Must be {ContractNames.Choices<T>()}.");
            }
            else if (days is null)
            {
                valid = Fail(check, $"{at}.{key}", "Must be a number of days.");
            }
            else if (days is < 1 or > AssignmentInput.MaxRemediationDays)
            {
                valid = Fail(check, $"{at}.{key}", $"Must be between 1 and {AssignmentInput.MaxRemediationDays} days.");
            }
            else
            {
                table[level] = days.Value;
            }
        }

        foreach (var level in Enum.GetValues<T>())
        {
            if (!requested.ContainsKey(level.ToContract()))
            {
                valid = Fail(check, $"{at}.{level.ToContract()}", $"Is required: the {name} table names every level ({ContractNames.Choices<T>()}).");
            }
        }

        if (!valid)
        {
            return null;
        }

        // Levels are declared in rising order: each may have at most the days of the one below it.
        var levels = Enum.GetValues<T>();
        for (var i = 1; i < levels.Length; i++)
        {
            var (lower, higher) = (levels[i - 1], levels[i]);
            if (table[higher] > table[lower])
            {
                valid = Fail(check, $"{at}.{higher.ToContract()}", $"Must be at most {lower.ToContract()}'s {table[lower]} days: a higher level is never given longer.");
            }
        }

        return valid ? table : null;
    }

    private static bool Fail(IntegrationValidation check, string field, string message)
    {
        check.Add(field, message);
        return false;
    }
}
