using System.Globalization;
using System.Text.Json.Nodes;

namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>
/// The records of the simulated instance and the rules ServiceNow applies to them: every value a string,
/// numbers per table, <c>sys_*</c> fields maintained, priority computed, data policy on close.
/// </summary>
internal sealed class SimDatabase
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Dictionary<string, string>>> _records = SimTables.All.Keys.ToDictionary(t => t, _ => new List<Dictionary<string, string>>(), StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nextNumber = SimTables.All.Values.ToDictionary(t => t.Name, t => t.FirstNumber, StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    public SimDatabase(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    public SimJournal Journal { get; } = new();

    public string Now => _timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public Dictionary<string, string> Insert(string table, IReadOnlyDictionary<string, string> values, string? actingUserSysId)
    {
        var definition = SimTables.All[table];
        lock (_lock)
        {
            var now = Now;
            var actor = actingUserSysId is null ? "admin" : UserNameOf(actingUserSysId);
            var record = definition.Fields.Keys.ToDictionary(f => f, _ => string.Empty, StringComparer.Ordinal);
            record["sys_id"] = Guid.NewGuid().ToString("N");
            record["sys_created_on"] = now;
            record["sys_updated_on"] = now;
            record["sys_created_by"] = actor;
            record["sys_updated_by"] = actor;
            record["sys_mod_count"] = "0";
            record["sys_class_name"] = table;
            if (definition.Fields.ContainsKey("active"))
            {
                record["active"] = "true";
            }

            if (definition.IsTicket)
            {
                record["state"] = definition.InitialState ?? string.Empty;
                record["opened_at"] = now;
                record["opened_by"] = actingUserSysId ?? string.Empty;
                record["impact"] = "3";
                record["urgency"] = "3";
            }

            Apply(definition, record, values);
            if (definition.IsTicket)
            {
                record["number"] = $"{definition.NumberPrefix}{_nextNumber[table]:D7}";
            }

            EnforceDataPolicy(definition, record);
            ApplyStateRules(definition, record, previousState: null, actingUserSysId, now);
            if (definition.IsTicket)
            {
                _nextNumber[table]++;
            }

            _records[table].Add(record);
            Journal.Record(table, record["sys_id"], values, actor, now);
            return new Dictionary<string, string>(record);
        }
    }

    /// <summary>The updated record, or <c>null</c> when it does not exist.</summary>
    public Dictionary<string, string>? Update(string table, string sysId, IReadOnlyDictionary<string, string> values, string? actingUserSysId)
    {
        var definition = SimTables.All[table];
        lock (_lock)
        {
            var existing = Find(table, sysId);
            if (existing is null)
            {
                return null;
            }

            var updated = new Dictionary<string, string>(existing);
            Apply(definition, updated, values);
            EnforceDataPolicy(definition, updated);
            var now = Now;
            ApplyStateRules(definition, updated, existing["state"], actingUserSysId, now);
            var changed = updated.Any(p => existing[p.Key] != p.Value) || values.Keys.Any(SimTables.JournalFields.Contains);
            if (changed)
            {
                updated["sys_updated_on"] = now;
                updated["sys_updated_by"] = actingUserSysId is null ? "admin" : UserNameOf(actingUserSysId);
                Journal.Record(table, sysId, values, updated["sys_updated_by"], now);
                updated["sys_mod_count"] = (int.Parse(existing["sys_mod_count"], CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
                foreach (var (key, value) in updated)
                {
                    existing[key] = value;
                }
            }

            return new Dictionary<string, string>(existing);
        }
    }

    public bool Delete(string table, string sysId)
    {
        lock (_lock)
        {
            return _records[table].RemoveAll(r => r["sys_id"] == sysId) > 0;
        }
    }

    public Dictionary<string, string>? Get(string table, string sysId)
    {
        lock (_lock)
        {
            return Find(table, sysId) is { } record ? new Dictionary<string, string>(record) : null;
        }
    }

    public List<Dictionary<string, string>> All(string table)
    {
        lock (_lock)
        {
            return _records[table].Select(r => new Dictionary<string, string>(r)).ToList();
        }
    }

    /// <summary>One page of the records matching <paramref name="query"/>, and how many match in all.</summary>
    public (List<Dictionary<string, string>> Page, int Total) Query(string table, string? query, int offset, int limit)
    {
        var parsed = EncodedQuery.Parse(query);
        lock (_lock)
        {
            IEnumerable<Dictionary<string, string>> matching = _records[table].Where(r => parsed.Matches(path => ResolveLocked(table, r, path).Value));
            IOrderedEnumerable<Dictionary<string, string>>? ordered = null;
            foreach (var (field, descending) in parsed.Order.Where(o => FieldExists(table, o.Field)))
            {
                Func<Dictionary<string, string>, string?> key = r => ResolveLocked(table, r, field).Value;
                var comparer = Comparer<string?>.Create(EncodedQuery.Compare);
                ordered = ordered is null
                    ? (descending ? matching.OrderByDescending(key, comparer) : matching.OrderBy(key, comparer))
                    : (descending ? ordered.ThenByDescending(key, comparer) : ordered.ThenBy(key, comparer));
            }

            var all = (ordered ?? matching).ToList();
            return (all.Skip(offset).Take(limit).Select(r => new Dictionary<string, string>(r)).ToList(), all.Count);
        }
    }

    public Dictionary<string, string>? FindUser(string userNameOrSysId)
    {
        lock (_lock)
        {
            return _records["sys_user"].FirstOrDefault(u =>
                string.Equals(u["user_name"], userNameOrSysId, StringComparison.OrdinalIgnoreCase) || u["sys_id"] == userNameOrSysId) is { } user
                ? new Dictionary<string, string>(user)
                : null;
        }
    }

    /// <summary>The record as the Table API shows it, honouring fields, display values and reference links.</summary>
    public JsonObject Render(string table, Dictionary<string, string> record, IReadOnlyList<string>? fields, string displayMode, bool excludeLinks, Uri baseUri)
    {
        lock (_lock)
        {
            var result = new JsonObject();
            foreach (var path in fields ?? SimTables.All[table].Fields.Keys.ToList())
            {
                var (value, finalTable, finalField) = ResolveLocked(table, record, path);
                if (value is null || finalTable is null || result.ContainsKey(path))
                {
                    continue;
                }

                if (SimTables.JournalFields.Contains(finalField))
                {
                    value = string.Empty;
                }

                result[path] = RenderValue(finalTable, finalField, value, displayMode, excludeLinks, baseUri);
            }

            return result;
        }
    }

    private JsonNode RenderValue(SimTable table, string field, string value, string displayMode, bool excludeLinks, Uri baseUri)
    {
        var target = table.Fields[field];
        var display = value;
        string? link = null;
        if (target is not null && value.Length > 0)
        {
            link = new Uri(baseUri, $"api/now/table/{target}/{value}").ToString();
            display = Find(target, value) is { } referenced ? referenced[SimTables.All[target].DisplayField] : string.Empty;
        }
        else if (table.Choices.TryGetValue(field, out var choices) && choices.TryGetValue(value, out var label))
        {
            display = label;
        }

        var isReference = target is not null && value.Length > 0;
        switch (displayMode)
        {
            case "true":
                return isReference && !excludeLinks ? new JsonObject { ["display_value"] = display, ["link"] = link } : JsonValue.Create(display)!;
            case "all":
                var both = new JsonObject { ["display_value"] = display, ["value"] = value };
                if (isReference && !excludeLinks)
                {
                    both["link"] = link;
                }

                return both;
            default:
                return isReference && !excludeLinks ? new JsonObject { ["link"] = link, ["value"] = value } : JsonValue.Create(value)!;
        }
    }

    public static bool FieldExists(string table, string path)
    {
        var current = SimTables.All[table];
        var segments = path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            if (!current.Fields.TryGetValue(segments[i], out var target))
            {
                return false;
            }

            if (i < segments.Length - 1)
            {
                if (target is null)
                {
                    return false;
                }

                current = SimTables.All[target];
            }
        }

        return true;
    }

    /// <summary>A (dot-walked) field's value; <c>null</c> value when the path does not exist.</summary>
    private (string? Value, SimTable? Table, string Field) ResolveLocked(string table, Dictionary<string, string> record, string path)
    {
        var current = SimTables.All[table];
        var currentRecord = record;
        var segments = path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (!current.Fields.TryGetValue(segment, out var target))
            {
                return (null, null, segment);
            }

            var value = currentRecord?.GetValueOrDefault(segment) ?? string.Empty;
            if (i == segments.Length - 1)
            {
                return (value, current, segment);
            }

            if (target is null)
            {
                return (null, null, segment);
            }

            current = SimTables.All[target];
            currentRecord = value.Length == 0 ? null : Find(target, value);
        }

        return (null, null, path);
    }

    private Dictionary<string, string>? Find(string table, string sysId) => _records[table].FirstOrDefault(r => r["sys_id"] == sysId);

    private string UserNameOf(string userSysId) => Find("sys_user", userSysId)?["user_name"] ?? "admin";

    private static void Apply(SimTable definition, Dictionary<string, string> record, IReadOnlyDictionary<string, string> values)
    {
        foreach (var (field, value) in values)
        {
            // Unknown and system-maintained fields are ignored, as ServiceNow ignores them; journal fields append
            // to a history the Table API never shows back.
            if (!definition.Fields.ContainsKey(field) || field.StartsWith("sys_", StringComparison.Ordinal) || field is "number" or "priority"
                || SimTables.JournalFields.Contains(field))
            {
                continue;
            }

            record[field] = value;
        }

        if (definition.IsTicket && int.TryParse(record["impact"], out var impact) && int.TryParse(record["urgency"], out var urgency))
        {
            record["priority"] = Math.Clamp(impact + urgency - 1, 1, 5).ToString(CultureInfo.InvariantCulture);
        }
    }

    private static void EnforceDataPolicy(SimTable definition, Dictionary<string, string> record)
    {
        if (!definition.StatesNeedingCloseFields.Contains(record.GetValueOrDefault("state") ?? string.Empty))
        {
            return;
        }

        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(record["close_code"]))
        {
            missing.Add(definition.CloseFieldLabels[0]);
        }

        if (string.IsNullOrWhiteSpace(record["close_notes"]))
        {
            missing.Add(definition.CloseFieldLabels[1]);
        }

        if (missing.Count > 0)
        {
            throw new ServiceNowSimulatorRefusedException(403, "Operation Failed", $"Data Policy Exception: The following fields are mandatory: {string.Join(", ", missing)}");
        }
    }

    private static void ApplyStateRules(SimTable definition, Dictionary<string, string> record, string? previousState, string? actingUserSysId, string now)
    {
        if (!definition.IsTicket || record["state"] == previousState)
        {
            return;
        }

        var state = record["state"];
        record["active"] = definition.InactiveStates.Contains(state) ? "false" : "true";
        var label = definition.Choices["state"].GetValueOrDefault(state);
        if (label == "Resolved" && definition.Fields.ContainsKey("resolved_at"))
        {
            record["resolved_at"] = now;
            record["resolved_by"] = actingUserSysId ?? string.Empty;
        }

        if (label is "Closed" or "Canceled")
        {
            record["closed_at"] = now;
            record["closed_by"] = actingUserSysId ?? string.Empty;
        }
    }
}
