namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// The rows of the instance's own definition tables, made from the simulator's table definitions so they always say
/// what the tables do: sys_db_object (one row per table, <c>super_class</c> referencing the table it extends), sys_choice
/// (<c>name</c>, <c>element</c>, <c>value</c>, <c>label</c>, <c>language</c>, <c>sequence</c>, <c>inactive</c>) and
/// sys_dictionary (one row per column: <c>name</c>, <c>element</c>, <c>internal_type</c>, <c>max_length</c>,
/// <c>mandatory</c>, <c>read_only</c>, <c>active</c>).
/// https://www.servicenow.com/docs/r/platform-administration/system-localization/r_ChoicesTable.html
/// https://www.servicenow.com/docs/r/platform-administration/table-administration/c_DataDictionaryTables.html
/// </summary>
internal static class SimDefinitions
{
    public const string Choice = "sys_choice";
    public const string Dictionary = "sys_dictionary";
    public const string DbObject = "sys_db_object";

    public static IReadOnlyDictionary<string, List<Dictionary<string, string>>> Build(IEnumerable<SimTable> tables)
    {
        var all = tables.ToList();
        var objects = new List<Dictionary<string, string>>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in all.Select(t => t.Name).Append("task").Distinct(StringComparer.Ordinal))
        {
            ids[name] = Id(DbObject, name);
        }

        foreach (var (name, id) in ids)
        {
            var super = all.FirstOrDefault(t => t.Name == name)?.SuperClass;
            objects.Add(new() { ["sys_id"] = id, ["name"] = name, ["super_class"] = super is null ? string.Empty : ids.GetValueOrDefault(super, string.Empty) });
        }

        var choices = new List<Dictionary<string, string>>();
        var fields = new List<Dictionary<string, string>>();
        foreach (var table in all.Where(t => t.IsTicket))
        {
            foreach (var (element, values) in table.Choices)
            {
                var sequence = 0;
                foreach (var (value, label) in values)
                {
                    sequence += 10;
                    choices.Add(new()
                    {
                        ["sys_id"] = Id(Choice, $"{table.Name}|{element}|{value}"),
                        ["name"] = table.Name,
                        ["element"] = element,
                        ["value"] = value,
                        ["label"] = label,
                        ["language"] = "en",
                        ["sequence"] = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["inactive"] = "false",
                    });
                }
            }

            foreach (var (field, reference) in table.Fields)
            {
                fields.Add(new()
                {
                    ["sys_id"] = Id(Dictionary, $"{table.Name}|{field}"),
                    ["name"] = table.Name,
                    ["element"] = field,
                    ["internal_type"] = reference is not null ? "reference" : SimTables.DateTimeFields.Contains(field) ? "glide_date_time" : SimTables.JournalFields.Contains(field) ? "journal_input" : table.Choices.ContainsKey(field) ? "choice" : "string",
                    ["max_length"] = (table.MaxLengths.TryGetValue(field, out var max) ? max : reference is not null ? 32 : 40).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["mandatory"] = table.MandatoryFields.Contains(field) ? "true" : "false",
                    ["read_only"] = field.StartsWith("sys_", StringComparison.Ordinal) || field is "number" ? "true" : "false",
                    ["active"] = "true",
                });
            }
        }

        return new Dictionary<string, List<Dictionary<string, string>>>(StringComparer.Ordinal) { [DbObject] = objects, [Choice] = choices, [Dictionary] = fields };
    }

    // Stable sys_ids (32 hex digits), so a record read twice is the same record.
    private static string Id(string table, string key) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(table + "|" + key)))[..32];
}
