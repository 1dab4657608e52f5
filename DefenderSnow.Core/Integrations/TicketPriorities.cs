using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Findings;

namespace DefenderSnow.Core.Integrations;

/// <summary>ServiceNow's impact and urgency of a ticket: 1 High, 2 Medium, 3 Low (its priority is looked up from both).</summary>
public sealed record ImpactUrgency(int Impact, int Urgency);

/// <summary>
/// The impact and urgency an integration's tickets get (in Default mode, when the request gives none) for each Defender
/// severity. Defaults, chosen so that ServiceNow's default priority lookup gives Critical P1, High P2, Medium P3, Low P5:
/// Critical 1/1, High 1/2, Medium 2/2, Low 3/3. A severity DefenderSnow does not know gets 1/1, the highest, rather than
/// the lowest; a recommendation without a severity gets Low's, as it always did.
/// </summary>
public sealed record TicketPriorities(IReadOnlyDictionary<AssessmentSeverity, ImpactUrgency> BySeverity)
{
    public static ImpactUrgency Highest { get; } = new(1, 1);

    public static TicketPriorities Default { get; } = new(new Dictionary<AssessmentSeverity, ImpactUrgency>
    {
        [AssessmentSeverity.Critical] = new(1, 1),
        [AssessmentSeverity.High] = new(1, 2),
        [AssessmentSeverity.Medium] = new(2, 2),
        [AssessmentSeverity.Low] = new(3, 3),
    });

    /// <summary>The pair for a finding's severity (a contract name, an unrecognized value, or null).</summary>
    public ImpactUrgency For(string? severity) =>
        FindingSeverity.TryParse(severity, out var known) ? Of(known)
        : FindingSeverity.IsUnrecognized(severity) ? Highest
        : Of(AssessmentSeverity.Low);

    /// <summary>The matrix under each severity's contract name, as the contract and the row show it.</summary>
    public IReadOnlyDictionary<string, ImpactUrgency> ByName() =>
        Enum.GetValues<AssessmentSeverity>().ToDictionary(s => s.ToContract(), Of, StringComparer.Ordinal);

    /// <summary>
    /// A requested matrix over <paramref name="current"/>: severities left out keep theirs. Keys are severities' contract
    /// names; impact and urgency 1 to 3 each.
    /// </summary>
    /// <exception cref="ValidationException">Naming each offending entry, e.g. <c>ticketPriorities.Critical.impact</c>.</exception>
    public static TicketPriorities Parse(IReadOnlyDictionary<string, ImpactUrgencyRequest?>? requested, TicketPriorities current, string path = "ticketPriorities")
    {
        if (requested is null)
        {
            return current;
        }

        var errors = new Dictionary<string, string[]>();
        var result = Enum.GetValues<AssessmentSeverity>().ToDictionary(s => s, current.Of);
        foreach (var (name, pair) in requested)
        {
            if (!ContractNames.TryParse(name, out AssessmentSeverity severity))
            {
                errors[$"{path}.{name}"] = [$"Must be {ContractNames.Choices<AssessmentSeverity>()}."];
                continue;
            }

            if (pair is null)
            {
                errors[$"{path}.{name}"] = ["Must be an object with impact and urgency."];
                continue;
            }

            var at = result[severity];
            foreach (var (field, value) in new[] { ("impact", pair.Impact), ("urgency", pair.Urgency) })
            {
                if (value is < 1 or > 3)
                {
                    errors[$"{path}.{name}.{field}"] = ["Must be 1, 2 or 3."];
                }
            }

            result[severity] = new ImpactUrgency(pair.Impact ?? at.Impact, pair.Urgency ?? at.Urgency);
        }

        return errors.Count > 0 ? throw new ValidationException(errors) : new TicketPriorities(result);
    }

    /// <summary>By value, so that an integration read back equals the one written.</summary>
    public bool Equals(TicketPriorities? other) =>
        other is not null && Enum.GetValues<AssessmentSeverity>().All(s => Of(s) == other.Of(s));

    public override int GetHashCode() => Enum.GetValues<AssessmentSeverity>().Aggregate(0, (hash, s) => HashCode.Combine(hash, Of(s)));

    private ImpactUrgency Of(AssessmentSeverity severity) =>
        BySeverity.TryGetValue(severity, out var pair) ? pair : Default.BySeverity[severity];
}

/// <summary>One severity's entry in a request; either member may be left out to keep the current value.</summary>
public sealed record ImpactUrgencyRequest(int? Impact, int? Urgency);
