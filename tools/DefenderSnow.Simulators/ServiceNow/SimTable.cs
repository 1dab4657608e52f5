namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// One table the simulator serves. This is the simulator's own copy of ServiceNow's facts, written apart
/// from the product's catalogue so that a mistake in one is not mirrored in the other.
/// </summary>
internal sealed record SimTable
{
    public required string Name { get; init; }

    /// <summary>Ticket number prefix, or <c>null</c> for tables without numbers.</summary>
    public string? NumberPrefix { get; init; }

    public int FirstNumber { get; init; }

    /// <summary>Field name → referenced table (<c>null</c> for a plain field).</summary>
    public required IReadOnlyDictionary<string, string?> Fields { get; init; }

    /// <summary>Field name → value → label, for choice fields.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Choices { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, string>>();

    /// <summary>What a reference to a record of this table displays as.</summary>
    public required string DisplayField { get; init; }

    public string? InitialState { get; init; }

    /// <summary>States that need the <see cref="CloseFields"/> (data policy).</summary>
    public IReadOnlySet<string> StatesNeedingCloseFields { get; init; } = new HashSet<string>();

    /// <summary>The fields a closing state needs, with the labels the data policy names in its refusal.</summary>
    public IReadOnlyList<(string Field, string Label)> CloseFields { get; init; } = [];

    /// <summary>
    /// The default state model: state → the states it may move to (staying put is always allowed). Instances
    /// customise theirs, so the simulator lets a test replace it.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Transitions { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Field → maximum length; longer values are cut without an error, as ServiceNow does.</summary>
    public IReadOnlyDictionary<string, int> MaxLengths { get; init; } = new Dictionary<string, int>();

    /// <summary>States in which the record is no longer active.</summary>
    public IReadOnlySet<string> InactiveStates { get; init; } = new HashSet<string>();

    /// <summary>The table it extends (sys_db_object.super_class): <c>task</c> for every ticket table.</summary>
    public string? SuperClass { get; init; }

    /// <summary>
    /// Fields a data policy makes mandatory on every write (beyond the close fields): an instance's customisation. A write
    /// that leaves one empty is refused as ServiceNow's data policies refuse it ("Data Policy Exception").
    /// </summary>
    public IReadOnlySet<string> MandatoryFields { get; init; } = new HashSet<string>();

    /// <summary>
    /// Choice fields whose values a business rule of this instance checks against sys_choice (an instance's own rule: the
    /// platform itself stores any value sent to a choice field through the Table API). Empty by default.
    /// </summary>
    public IReadOnlySet<string> EnforcedChoices { get; init; } = new HashSet<string>();

    public bool IsTicket => NumberPrefix is not null;

    public bool IsReference(string field) => Fields.TryGetValue(field, out var target) && target is not null;
}
