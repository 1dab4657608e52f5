namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// How a ticket of one table is resolved once its fix is confirmed: the fields that set the resolved (or, where the
/// table has no resolved state, closed) state with its close code, the field for the notes, and the states the table's
/// state model lets a ticket reach that state from.
/// </summary>
public sealed record ServiceNowResolution(IReadOnlyDictionary<string, string> Fields, string NotesField, IReadOnlySet<string> FromStates)
{
    /// <summary>
    /// The fields that end a ticket whose resource or assessment disappeared: the same state, with the mapping's
    /// <c>removedCloseCode</c> where it has one (nothing was fixed, so no "solved" code); <see cref="Fields"/> otherwise.
    /// </summary>
    public IReadOnlyDictionary<string, string> RemovedFields { get; init; } = Fields;
}
