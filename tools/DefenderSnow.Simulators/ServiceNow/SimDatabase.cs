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

    // This instance's own table definitions: a test customises them (renumbered states, removed close codes, mandatory
    // fields) and sys_choice, sys_dictionary and sys_db_object show what they say.
    private readonly Dictionary<string, SimTable> _tables = new(SimTables.All, StringComparer.Ordinal);
    private readonly Dictionary<string, List<Dictionary<string, string>>> _records = SimTables.All.Keys.ToDictionary(t => t, _ => new List<Dictionary<string, string>>(), StringComparer.Ordinal);

    // sys_id → records, per table, so that a read by sys_id (and a query naming its sys_ids) does not scan 100,000
    // tickets. Case-insensitive because encoded queries compare that way; Find still requires the exact sys_id.
    private readonly Dictionary<string, Dictionary<string, List<Dictionary<string, string>>>> _bySysId =
        SimTables.All.Keys.ToDictionary(t => t, _ => new Dictionary<string, List<Dictionary<string, string>>>(StringComparer.OrdinalIgnoreCase), StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nextNumber = SimTables.All.Values.ToDictionary(t => t.Name, t => t.FirstNumber, StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> _stateModels =
        SimTables.All.Values.ToDictionary(t => t.Name, t => t.Transitions, StringComparer.Ordinal);

    private readonly TimeProvider _timeProvider;
    private volatile bool _refuseUnknownStates = true;

    public SimDatabase(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        lock (_lock)
        {
            RebuildDefinitionsLocked();
        }
    }

    /// <summary>The table's definition on this instance.</summary>
    public SimTable Definition(string table)
    {
        lock (_lock)
        {
            return _tables[table];
        }
    }

    /// <summary>
    /// Replaces a table's definition, as an instance administrator customises it: its state model follows the new
    /// transitions, and sys_choice and sys_dictionary show the new choices and fields at once.
    /// </summary>
    public void Customize(string table, Func<SimTable, SimTable> change)
    {
        lock (_lock)
        {
            var changed = change(_tables[table]);
            _tables[table] = changed;
            _stateModels[table] = changed.Transitions;
            RebuildDefinitionsLocked();
        }
    }

    private void RebuildDefinitionsLocked()
    {
        var now = Now;
        foreach (var (name, rows) in SimDefinitions.Build(_tables.Values))
        {
            _records[name].Clear();
            _bySysId[name].Clear();
            foreach (var row in rows)
            {
                var record = _tables[name].Fields.Keys.ToDictionary(f => f, _ => string.Empty, StringComparer.Ordinal);
                foreach (var (field, value) in row)
                {
                    record[field] = value;
                }

                record["sys_created_on"] = record["sys_updated_on"] = now;
                record["sys_created_by"] = record["sys_updated_by"] = "system";
                record["sys_mod_count"] = "0";
                record["sys_class_name"] = name;
                _records[name].Add(record);
                _bySysId[name][record["sys_id"]] = [record];
            }
        }
    }

    public SimJournal Journal { get; } = new();

    /// <summary>Called after an update changed a record, outside the lock (table, before, after): the instance's "after update" business rules.</summary>
    public Action<string, IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>>? AfterUpdate { get; set; }

    /// <summary>Whether a state value the table does not list is refused (the default state models) or stored as sent.</summary>
    public bool RefuseUnknownStates
    {
        get => _refuseUnknownStates;
        set => _refuseUnknownStates = value;
    }

    /// <summary>Replaces the state model of a ticket table: state → the states it may move to.</summary>
    public void SetStateModel(string table, IReadOnlyDictionary<string, IReadOnlyList<string>> transitions)
    {
        var definition = _tables[table];
        var states = definition.Choices.GetValueOrDefault("state") ?? throw new ArgumentException($"{table} has no state model.", nameof(table));
        if (transitions.SelectMany(t => t.Value.Prepend(t.Key)).FirstOrDefault(v => !states.ContainsKey(v)) is { } unknown)
        {
            throw new ArgumentException($"'{unknown}' is not a state of {table}.", nameof(transitions));
        }

        lock (_lock)
        {
            _stateModels[table] = transitions.ToDictionary(t => t.Key, t => (IReadOnlyList<string>)[.. t.Value], StringComparer.Ordinal);
        }
    }

    /// <summary>The states a ticket passes through to get from <paramref name="from"/> to <paramref name="to"/> (the shortest way), ending with <paramref name="to"/>.</summary>
    public IReadOnlyList<string> PathBetweenStates(string table, string from, string to)
    {
        lock (_lock)
        {
            var model = _stateModels[table];
            var previous = new Dictionary<string, string>(StringComparer.Ordinal) { [from] = from };
            var queue = new Queue<string>([from]);
            while (queue.TryDequeue(out var state) && state != to)
            {
                foreach (var next in model.GetValueOrDefault(state) ?? [])
                {
                    if (previous.TryAdd(next, state))
                    {
                        queue.Enqueue(next);
                    }
                }
            }

            if (!previous.ContainsKey(to))
            {
                throw new ServiceNowSimulatorRefusedException(403, "Operation Failed", $"The {table} state model has no way from state {from} to state {to}.");
            }

            var path = new List<string>();
            for (var state = to; state != from; state = previous[state])
            {
                path.Insert(0, state);
            }

            return path;
        }
    }

    public string Now => Format(_timeProvider.GetUtcNow());

    public DateTimeOffset Clock => _timeProvider.GetUtcNow();

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <param name="begunAt">When the insert's transaction began, if earlier than now: its system times are from then.</param>
    public Dictionary<string, string> Insert(string table, IReadOnlyDictionary<string, string> values, string? actingUserSysId, DateTimeOffset? begunAt = null)
    {
        var definition = _tables[table];
        lock (_lock)
        {
            var now = begunAt is { } at ? Format(at) : Now;
            var actor = actingUserSysId is null ? "admin" : UserNameOf(actingUserSysId);
            var record = definition.Fields.Keys.ToDictionary(f => f, _ => string.Empty, StringComparer.Ordinal);
            record["sys_id"] = Guid.NewGuid().ToString("N");
            record["sys_created_on"] = now;
            record["sys_updated_on"] = now;
            // sys_created_by and sys_updated_by hold the acting user's user_name, not a sys_id, as the Table API's examples
            // show ("sys_created_by": "glide.maint": https://www.servicenow.com/docs/r/api-reference/rest-apis/c_TableAPI.html).
            // Callers cannot set them here, as on an instance with glide.rest.table_api.admin_only_sys_fields=true
            // (https://www.servicenow.com/docs/r/platform-security/instance-security-hardening-settings/sc-restrict-write-access-on-system-fields-to-admin-users.html).
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
                RequireKnownState(definition, record["state"]);
                record["number"] = $"{definition.NumberPrefix}{_nextNumber[table]:D7}";
            }

            EnforceDataPolicy(definition, record);
            ApplyStateRules(definition, record, previousState: null, actingUserSysId, now);
            if (definition.IsTicket)
            {
                _nextNumber[table]++;
            }

            _records[table].Add(record);
            if (!_bySysId[table].TryGetValue(record["sys_id"], out var sameId))
            {
                _bySysId[table][record["sys_id"]] = sameId = [];
            }

            sameId.Add(record);
            Journal.Record(table, record["sys_id"], values, actor, now);
            return new Dictionary<string, string>(record);
        }
    }

    /// <summary>The updated record, or <c>null</c> when it does not exist.</summary>
    public Dictionary<string, string>? Update(string table, string sysId, IReadOnlyDictionary<string, string> values, string? actingUserSysId)
    {
        var definition = _tables[table];
        Dictionary<string, string> before;
        Dictionary<string, string> after;
        lock (_lock)
        {
            var existing = Find(table, sysId);
            if (existing is null)
            {
                return null;
            }

            var updated = new Dictionary<string, string>(existing);
            Apply(definition, updated, values);
            if (definition.IsTicket)
            {
                EnforceStateModel(definition, existing, updated, values);
            }

            EnforceDataPolicy(definition, updated);
            var now = Now;
            ApplyStateRules(definition, updated, existing.GetValueOrDefault("state"), actingUserSysId, now);
            var changed = updated.Any(p => existing[p.Key] != p.Value) || values.Keys.Any(SimTables.JournalFields.Contains);
            if (changed)
            {
                updated["sys_updated_on"] = now;
                updated["sys_updated_by"] = actingUserSysId is null ? "admin" : UserNameOf(actingUserSysId);
                Journal.Record(table, sysId, values, updated["sys_updated_by"], now);
                updated["sys_mod_count"] = (int.Parse(existing["sys_mod_count"], CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
                before = new Dictionary<string, string>(existing);
                foreach (var (key, value) in updated)
                {
                    existing[key] = value;
                }
            }
            else
            {
                return new Dictionary<string, string>(existing);
            }

            after = new Dictionary<string, string>(existing);
        }

        AfterUpdate?.Invoke(table, before, after);
        return new Dictionary<string, string>(after);
    }

    public bool Delete(string table, string sysId)
    {
        lock (_lock)
        {
            if (_bySysId[table].TryGetValue(sysId, out var sameId))
            {
                sameId.RemoveAll(r => r["sys_id"] == sysId);
            }

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

    /// <summary>Whether <paramref name="query"/> matches <paramref name="record"/> of <paramref name="table"/> (dot-walks resolved).</summary>
    public bool Matches(string table, IReadOnlyDictionary<string, string> record, EncodedQuery query)
    {
        lock (_lock)
        {
            var row = new Dictionary<string, string>(record);
            return query.Matches(path => ResolveLocked(table, row, path).Value);
        }
    }

    /// <summary>
    /// One page of the records matching <paramref name="query"/>, and how many match in all. Records that tie on every
    /// <c>ORDERBY</c> field (all of them, without one) come back in a new order on every call, as ServiceNow guarantees no
    /// order among them. Date values in the query are read in <paramref name="userTimeZone"/>. Rows that
    /// <paramref name="hidden"/> matches are taken out after the page is cut, as row-level read ACLs are.
    /// </summary>
    public (List<Dictionary<string, string>> Page, int Total) Query(string table, string? query, int offset, int limit, TimeZoneInfo? userTimeZone = null, EncodedQuery? hidden = null)
    {
        var parsed = EncodedQuery.Parse(query);
        if (userTimeZone is not null)
        {
            parsed = parsed.WithDatesIn(userTimeZone);
        }

        lock (_lock)
        {
            // Shuffle first: the ordering below is stable, so ties keep the shuffled order.
            IEnumerable<Dictionary<string, string>> matching = Candidates(table, parsed)
                .Where(r => parsed.Matches(path => ResolveLocked(table, r, path).Value))
                .OrderBy(_ => Random.Shared.Next());
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
            var page = all.Skip(offset).Take(limit)
                .Where(r => hidden is null || !hidden.Matches(path => ResolveLocked(table, r, path).Value))
                .Select(r => new Dictionary<string, string>(r))
                .ToList();
            return (page, all.Count);
        }
    }

    /// <summary>
    /// The zone in which this user's query dates are read under <paramref name="reading"/>: the user's
    /// <c>sys_user.time_zone</c>, else the system zone (<c>glide.sys.default.tz</c> in <c>sys_properties</c>); <c>null</c> is UTC.
    /// A zone the instance does not know falls back in the same order.
    /// </summary>
    public TimeZoneInfo? QueryZoneOf(string userSysId, ServiceNowQueryDateReading reading)
    {
        if (reading == ServiceNowQueryDateReading.Utc)
        {
            return null;
        }

        lock (_lock)
        {
            var zone = Find("sys_user", userSysId)?.GetValueOrDefault("time_zone");
            if (string.IsNullOrEmpty(zone) || !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            {
                zone = _records["sys_properties"].FirstOrDefault(p => p["name"] == "glide.sys.default.tz")?.GetValueOrDefault("value");
            }

            return !string.IsNullOrEmpty(zone) && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found) ? found : null;
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
            foreach (var path in fields ?? _tables[table].Fields.Keys.ToList())
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
            display = Find(target, value) is { } referenced ? referenced[_tables[target].DisplayField] : string.Empty;
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

    public bool FieldExists(string table, string path)
    {
        var current = _tables[table];
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

                current = _tables[target];
            }
        }

        return true;
    }

    /// <summary>A (dot-walked) field's value; <c>null</c> value when the path does not exist.</summary>
    private (string? Value, SimTable? Table, string Field) ResolveLocked(string table, Dictionary<string, string> record, string path)
    {
        var current = _tables[table];
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

            current = _tables[target];
            currentRecord = value.Length == 0 ? null : Find(target, value);
        }

        return (null, null, path);
    }

    private Dictionary<string, string>? Find(string table, string sysId) =>
        _bySysId[table].TryGetValue(sysId, out var sameId) ? sameId.FirstOrDefault(r => r["sys_id"] == sysId) : null;

    /// <summary>
    /// The records a query can match: when every record it matches must have one of the sys_ids it names (a single
    /// group requiring <c>sys_id=</c> or <c>sys_idIN</c>), just those; otherwise the whole table. The query is still
    /// evaluated on each, so this only saves the scan.
    /// </summary>
    private IEnumerable<Dictionary<string, string>> Candidates(string table, EncodedQuery query)
    {
        if (query.Groups.Count == 1
            && query.Groups[0].FirstOrDefault(alternatives => alternatives is [{ Field: "sys_id", Operator: "=" or "IN" }]) is [var condition])
        {
            var ids = condition.Operator == "IN" ? condition.Value.Split(',') : [condition.Value];
            return ids.SelectMany(id => _bySysId[table].GetValueOrDefault(id) ?? []).Distinct<Dictionary<string, string>>(ReferenceEqualityComparer.Instance);
        }

        return _records[table];
    }

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

            // ServiceNow cuts a value longer than the field's dictionary length, without an error.
            record[field] = definition.MaxLengths.TryGetValue(field, out var max) && value.Length > max ? value[..max] : value;
        }

        if (definition.IsTicket && int.TryParse(record["impact"], out var impact) && int.TryParse(record["urgency"], out var urgency))
        {
            record["priority"] = Math.Clamp(impact + urgency - 1, 1, 5).ToString(CultureInfo.InvariantCulture);
        }
    }

    private void RequireKnownState(SimTable definition, string state)
    {
        if (_refuseUnknownStates && !definition.Choices["state"].ContainsKey(state))
        {
            throw StateModelRefusal(definition, $"'{state}' is not a state of {definition.Name}");
        }
    }

    /// <summary>
    /// Closed tickets take nothing but work notes; a state change must be one the table's state model allows
    /// (docs.servicenow.com: the state models' business rules abort any other update).
    /// </summary>
    private void EnforceStateModel(SimTable definition, Dictionary<string, string> existing, Dictionary<string, string> updated, IReadOnlyDictionary<string, string> values)
    {
        if (definition.InactiveStates.Contains(existing["state"])
            && (updated.Any(p => existing[p.Key] != p.Value) || values.Keys.Any(f => SimTables.JournalFields.Contains(f) && f != "work_notes")))
        {
            throw StateModelRefusal(definition, $"{existing["number"]} is closed; only work notes can be added");
        }

        var from = existing["state"];
        var to = updated["state"];
        if (from == to)
        {
            return;
        }

        RequireKnownState(definition, to);
        if (!(_stateModels[definition.Name].GetValueOrDefault(from) ?? []).Contains(to))
        {
            throw StateModelRefusal(definition, $"state {from} ({definition.Choices["state"].GetValueOrDefault(from)}) cannot move to {to} ({definition.Choices["state"].GetValueOrDefault(to)})");
        }
    }

    private static ServiceNowSimulatorRefusedException StateModelRefusal(SimTable definition, string reason) =>
        new(403, "Operation Failed", $"Operation against file '{definition.Name}' was aborted by Business Rule 'State Model': {reason}");

    private static void EnforceDataPolicy(SimTable definition, Dictionary<string, string> record)
    {
        // An instance's own business rule may refuse a choice value its sys_choice does not list; the platform does not.
        foreach (var field in definition.EnforcedChoices)
        {
            if (record.GetValueOrDefault(field) is { Length: > 0 } value && definition.Choices.TryGetValue(field, out var offered) && !offered.ContainsKey(value))
            {
                throw new ServiceNowSimulatorRefusedException(403, "Operation Failed", $"Invalid value '{value}' for {field}: it is not a choice of {definition.Name}");
            }
        }

        if (!definition.StatesNeedingCloseFields.Contains(record.GetValueOrDefault("state") ?? string.Empty))
        {
            // Data policies on every write (mandatory fields the instance added), not only on closing.
            var absent = definition.MandatoryFields.Where(f => string.IsNullOrWhiteSpace(record.GetValueOrDefault(f))).ToList();
            if (absent.Count > 0)
            {
                throw new ServiceNowSimulatorRefusedException(403, "Operation Failed", $"Data Policy Exception: The following fields are mandatory: {string.Join(", ", absent)}");
            }

            return;
        }

        var missing = definition.CloseFields.Where(f => string.IsNullOrWhiteSpace(record[f.Field])).Select(f => f.Label).ToList();
        missing.AddRange(definition.MandatoryFields.Where(f => string.IsNullOrWhiteSpace(record.GetValueOrDefault(f))).Where(f => !missing.Contains(f)));
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
