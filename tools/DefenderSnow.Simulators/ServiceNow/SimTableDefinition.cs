namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// A test's handle on one table of the simulated instance, for <see cref="ServiceNowSimulator.CustomizeTable"/>: the
/// customisations real instances make (renumbered or renamed states, removed or added choices, fields a data policy
/// makes mandatory, choices a business rule of the instance enforces). Each returns the changed definition.
/// </summary>
public sealed class SimTableDefinition
{
    internal SimTableDefinition(SimTable table)
    {
        Table = table;
    }

    internal SimTable Table { get; }

    /// <summary>Gives states new values (old → new): their choices, the state model, the initial, closing and inactive states follow.</summary>
    public SimTableDefinition RenumberStates(IReadOnlyDictionary<string, string> renumbering)
    {
        ArgumentNullException.ThrowIfNull(renumbering);
        string Map(string v) => renumbering.GetValueOrDefault(v, v);
        var states = Table.Choices["state"].ToDictionary(p => Map(p.Key), p => p.Value, StringComparer.Ordinal);
        return new(Table with
        {
            Choices = WithChoices("state", states),
            Transitions = Table.Transitions.ToDictionary(t => Map(t.Key), t => (IReadOnlyList<string>)t.Value.Select(Map).ToList(), StringComparer.Ordinal),
            InitialState = Table.InitialState is null ? null : Map(Table.InitialState),
            StatesNeedingCloseFields = Table.StatesNeedingCloseFields.Select(Map).ToHashSet(StringComparer.Ordinal),
            InactiveStates = Table.InactiveStates.Select(Map).ToHashSet(StringComparer.Ordinal),
        });
    }

    /// <summary>Gives a state (by value) a new label.</summary>
    public SimTableDefinition RenameState(string value, string label) =>
        new(Table with { Choices = WithChoices("state", new Dictionary<string, string>(Table.Choices["state"]) { [value] = label }) });

    /// <summary>Takes choices away from a field (for example close codes the instance retired).</summary>
    public SimTableDefinition RemoveChoices(string element, params string[] values) =>
        new(Table with { Choices = WithChoices(element, Table.Choices[element].Where(c => !values.Contains(c.Key)).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal)) });

    public SimTableDefinition AddChoice(string element, string value, string label) =>
        new(Table with { Choices = WithChoices(element, new Dictionary<string, string>(Table.Choices.GetValueOrDefault(element) ?? new Dictionary<string, string>()) { [value] = label }) });

    /// <summary>Adds a field (a <c>u_</c> field, say), optionally mandatory on every write by a data policy.</summary>
    public SimTableDefinition AddField(string name, bool mandatory = false, int? maxLength = null) =>
        new(Table with
        {
            Fields = new Dictionary<string, string?>(Table.Fields) { [name] = null },
            MandatoryFields = mandatory ? new HashSet<string>(Table.MandatoryFields) { name } : Table.MandatoryFields,
            MaxLengths = maxLength is { } max ? new Dictionary<string, int>(Table.MaxLengths) { [name] = max } : Table.MaxLengths,
        });

    /// <summary>Makes the instance refuse values of <paramref name="element"/> that are not among its choices (a business rule of its own).</summary>
    public SimTableDefinition EnforceChoices(string element) => new(Table with { EnforcedChoices = new HashSet<string>(Table.EnforcedChoices) { element } });

    private Dictionary<string, IReadOnlyDictionary<string, string>> WithChoices(string element, IReadOnlyDictionary<string, string> values) =>
        new(Table.Choices, StringComparer.Ordinal) { [element] = values };
}
