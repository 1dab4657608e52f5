namespace DefenderSnow.Core.ServiceNow.Instance;

/// <summary>One choice of a choice field as the instance offers it (<c>sys_choice.value</c> and <c>sys_choice.label</c>).</summary>
public sealed record ServiceNowChoice(string Value, string Label);

/// <summary>
/// One field of a table as its dictionary entry describes it (<c>sys_dictionary</c>: <c>element</c>,
/// <c>internal_type</c>, <c>max_length</c>, <c>mandatory</c>, <c>read_only</c>), with the table of the lineage that
/// defines it (<c>task</c> for the fields every ticket table inherits). What templates and custom fields are checked against.
/// </summary>
public sealed record ServiceNowFieldDefinition(string Element, string DefinedOn, string? InternalType, int? MaxLength, bool Mandatory, bool ReadOnly);

/// <summary>
/// What the instance offers on one ticket table: its lineage (the table, its parents, up to <c>task</c>), the choices of
/// the fields DefenderSnow maps (state, close code or resolution code, impact, urgency) and its fields. <c>null</c>
/// choices or fields: the API user could not read them (an ACL), so nothing can be checked against them.
/// </summary>
public sealed record ServiceNowTableSchema(
    string Name,
    IReadOnlyList<string> Lineage,
    IReadOnlyDictionary<string, IReadOnlyList<ServiceNowChoice>>? Choices,
    IReadOnlyDictionary<string, ServiceNowFieldDefinition>? Fields)
{
    /// <summary>The choices of <paramref name="element"/>, <c>null</c> when they could not be read; an empty list when the instance has none.</summary>
    public IReadOnlyList<ServiceNowChoice>? ChoicesOf(string element) =>
        Choices is null ? null : Choices.TryGetValue(element, out var found) ? found : [];

    /// <summary>Whether the table has the field; <c>null</c> when its fields could not be read.</summary>
    public bool? HasField(string element) => Fields?.ContainsKey(element);
}

/// <summary>
/// What was read from the instance for an integration's ticket tables, when, and what could not be read (each a
/// warning the integration shows). Read when the integration is created or its ticket types change, refreshed by
/// every full pass (<see cref="ServiceNowSchemaReader"/>).
/// </summary>
public sealed record ServiceNowInstanceSchema(DateTimeOffset ReadAt, IReadOnlyDictionary<string, ServiceNowTableSchema> Tables, IReadOnlyList<string> Warnings)
{
    public ServiceNowTableSchema? For(string table) => Tables.GetValueOrDefault(table);
}
