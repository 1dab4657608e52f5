namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// The journal (<c>sys_journal_field</c>) behind <c>work_notes</c> and <c>comments</c>: a write appends an entry, and the
/// Table API reads the field back as "" (ServiceNow docs, "Journal fields"), so tests read the entries here.
/// </summary>
internal sealed class SimJournal
{
    private readonly Lock _lock = new();
    private readonly List<ServiceNowJournalEntry> _entries = [];

    public void Record(string table, string sysId, IReadOnlyDictionary<string, string> values, string author, string createdOn)
    {
        lock (_lock)
        {
            foreach (var field in SimTables.JournalFields.Where(f => values.TryGetValue(f, out var v) && v.Length > 0))
            {
                _entries.Add(new ServiceNowJournalEntry(table, sysId, field, values[field], author, createdOn));
            }
        }
    }

    public IReadOnlyList<ServiceNowJournalEntry> Of(string table, string sysId)
    {
        lock (_lock)
        {
            return _entries.Where(e => e.Table == table && e.ElementId == sysId).ToList();
        }
    }
}

/// <summary>One journal entry: <see cref="Element"/> is <c>work_notes</c> or <c>comments</c>, <see cref="ElementId"/> the record's sys_id.</summary>
public sealed record ServiceNowJournalEntry(string Table, string ElementId, string Element, string Value, string CreatedBy, string CreatedOn);
