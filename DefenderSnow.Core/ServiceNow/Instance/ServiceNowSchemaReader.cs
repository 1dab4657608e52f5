using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace DefenderSnow.Core.ServiceNow.Instance;

/// <summary>
/// Reads what an instance offers on the integration's ticket tables through the Table API: each table's lineage
/// (<c>sys_db_object</c>, following <c>super_class</c> up to <c>task</c>), the choices of the fields DefenderSnow maps
/// (<c>sys_choice</c>) and the fields (<c>sys_dictionary</c>). One request per table level for the lineage (one for the
/// out-of-box tables, which extend task directly; none when the lineage is already known), one for the choices and one
/// for the fields of all tables together, more only for pages beyond 1,000 rows. A definition table the API user may not
/// read (an ACL: 403, or an answer emptied by row-level ACLs) is no failure: what it would have said is left unknown and
/// named in <see cref="ServiceNowInstanceSchema.Warnings"/>. Throttling and server errors still fail the read.
/// </summary>
internal sealed partial class ServiceNowSchemaReader
{
    /// <summary>The fields whose choices DefenderSnow maps or sends.</summary>
    public static readonly IReadOnlyList<string> ChoiceElements = ["state", "close_code", "resolution_code", "impact", "urgency"];

    /// <summary>The tables every ticket table extends (sys_db_object.super_class, as the platform's task tables do).</summary>
    public const string Task = "task";

    private const int PageSize = 1000;
    private const int MaxPages = 20;
    private const int MaxDepth = 8;

    /// <summary>Sends one Table API request: the verifier with the token it was just given, a client with its session's renewal.</summary>
    public delegate Task<HttpResponseMessage> Sender(Func<string, Task<HttpResponseMessage>> request, string action, CancellationToken cancellationToken);

    /// <summary>The out-of-box ticket tables extend task directly; assumed only when sys_db_object cannot be read.</summary>
    private static readonly HashSet<string> KnownTaskTables = new HashSet<string>(StringComparer.Ordinal)
    {
        ServiceNowTicketTables.Incident, ServiceNowTicketTables.Problem, ServiceNowTicketTables.ChangeRequest, ServiceNowTicketTables.SecurityIncident,
    };

    private readonly IServiceNowTableApi _api;
    private readonly Sender _send;
    private readonly TimeProvider _timeProvider;

    public ServiceNowSchemaReader(IServiceNowTableApi api, Sender send, TimeProvider timeProvider)
    {
        _api = api;
        _send = send;
        _timeProvider = timeProvider;
    }

    /// <param name="tables">The integration's ticket tables.</param>
    /// <param name="knownLineages">Lineages read before (a refresh), so sys_db_object is not read again; null to read them.</param>
    /// <param name="cancellationToken">The caller's.</param>
    public async Task<ServiceNowInstanceSchema> ReadAsync(
        IReadOnlyList<string> tables, IReadOnlyDictionary<string, IReadOnlyList<string>>? knownLineages, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var lineages = await LineagesAsync(tables, knownLineages, warnings, cancellationToken).ConfigureAwait(false);
        var everyTable = lineages.Values.SelectMany(l => l).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var names = ServiceNowQueryValue.List(everyTable, "tables");

        // sysparm_query=nameINincident,task^elementINstate,close_code,…^inactive=false^language=en: one row per choice in
        // English (a translated instance has a row per language, with the same value).
        var choiceRows = everyTable.Count == 0 ? [] : await ReadAllAsync<ServiceNowChoiceRecord>(
            "sys_choice",
            $"nameIN{names}^elementIN{string.Join(',', ChoiceElements)}^inactive=false^language=en",
            "name,element,value,label,sequence",
            warnings,
            cancellationToken).ConfigureAwait(false);

        // sysparm_query=nameINincident,task^elementISNOTEMPTY^active=true: the column rows (a table's own row has no element).
        var fieldRows = everyTable.Count == 0 ? [] : await ReadAllAsync<ServiceNowDictionaryRecord>(
            "sys_dictionary",
            $"nameIN{names}^elementISNOTEMPTY^active=true",
            "name,element,internal_type,max_length,mandatory,read_only",
            warnings,
            cancellationToken).ConfigureAwait(false);

        var schemas = new Dictionary<string, ServiceNowTableSchema>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var lineage = lineages.GetValueOrDefault(table) ?? [];
            var choices = lineage.Count == 0 ? null : ChoicesOf(table, lineage, choiceRows, warnings);
            var fields = lineage.Count == 0 ? null : FieldsOf(table, lineage, fieldRows, warnings);
            schemas[table] = new ServiceNowTableSchema(table, lineage, choices, fields);
        }

        return new ServiceNowInstanceSchema(_timeProvider.GetUtcNow(), schemas, warnings);
    }

    /// <summary>Each table with the tables it extends, nearest first, ending with task; empty when sys_db_object has no such table.</summary>
    private async Task<Dictionary<string, IReadOnlyList<string>>> LineagesAsync(
        IReadOnlyList<string> tables, IReadOnlyDictionary<string, IReadOnlyList<string>>? known, List<string> warnings, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var toRead = new List<string>();
        foreach (var table in tables)
        {
            if (known?.GetValueOrDefault(table) is { Count: > 0 } lineage)
            {
                result[table] = lineage;
            }
            else
            {
                toRead.Add(table);
            }
        }

        if (toRead.Count == 0)
        {
            return result;
        }

        var parents = new Dictionary<string, string?>(StringComparer.Ordinal);
        var next = toRead;
        for (var depth = 0; depth < MaxDepth && next.Count > 0; depth++)
        {
            var rows = await ReadAllAsync<ServiceNowTableRecord>(
                "sys_db_object", $"nameIN{ServiceNowQueryValue.List(next, "tables")}", "name,super_class.name", warnings: null, cancellationToken).ConfigureAwait(false);
            if (rows is null || (rows.Count == 0 && depth == 0))
            {
                // Not readable (an ACL, or rows hidden): the out-of-box tables are known to extend task; another is taken on trust.
                var notChecked = toRead.Where(t => !KnownTaskTables.Contains(t)).ToList();
                warnings.Add("The ServiceNow user may not read sys_db_object (table definitions), so the out-of-box ticket tables are taken to extend task"
                    + (notChecked.Count == 0 ? "." : $", and {string.Join(", ", notChecked)} are used without checking that they do."));
                foreach (var table in toRead)
                {
                    result[table] = [table, Task];
                }

                return result;
            }

            foreach (var row in rows.Where(r => r.Name is not null))
            {
                parents[row.Name!] = ServiceNowJson.NullIfEmpty(row.SuperClassName);
            }

            next = parents.Values.Where(p => p is not null && p != Task && !parents.ContainsKey(p)).Select(p => p!).Distinct(StringComparer.Ordinal).ToList();
        }

        foreach (var table in toRead)
        {
            var lineage = new List<string>();
            for (var current = table; current is not null && lineage.Count <= MaxDepth; current = parents.GetValueOrDefault(current))
            {
                if (current != Task && !parents.ContainsKey(current))
                {
                    break;
                }

                lineage.Add(current);
            }

            // A table sys_db_object does not know gets no lineage; one that does not reach task keeps what it has.
            result[table] = lineage;
        }

        return result;
    }

    private static Dictionary<string, IReadOnlyList<ServiceNowChoice>>? ChoicesOf(
        string table, IReadOnlyList<string> lineage, List<ServiceNowChoiceRecord>? rows, List<string> warnings)
    {
        if (rows is null)
        {
            return null;
        }

        var choices = new Dictionary<string, IReadOnlyList<ServiceNowChoice>>(StringComparer.Ordinal);
        foreach (var element in ChoiceElements)
        {
            // A table's own choices replace its parent's for the same field (incident's states, not task's).
            var own = lineage
                .Select(t => rows.Where(r => r.Name == t && r.Element == element && r.Value is not null).ToList())
                .FirstOrDefault(r => r.Count > 0);
            if (own is not null)
            {
                choices[element] = own
                    .OrderBy(r => int.TryParse(r.Sequence, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : int.MaxValue)
                    .Select(r => new ServiceNowChoice(r.Value!, r.Label ?? r.Value!))
                    .DistinctBy(c => c.Value, StringComparer.Ordinal)
                    .ToList();
            }
        }

        if (!choices.ContainsKey("state"))
        {
            // Every task table has states: none readable means row-level ACLs hid them, not that there are none.
            warnings.Add($"ServiceNow returned no state choices for '{table}' (the user's ACLs may hide sys_choice rows); its states and close codes are the configured ones, unchecked.");
            return null;
        }

        return choices;
    }

    private static Dictionary<string, ServiceNowFieldDefinition>? FieldsOf(
        string table, IReadOnlyList<string> lineage, List<ServiceNowDictionaryRecord>? rows, List<string> warnings)
    {
        if (rows is null)
        {
            return null;
        }

        var fields = new Dictionary<string, ServiceNowFieldDefinition>(StringComparer.Ordinal);
        foreach (var owner in lineage)
        {
            foreach (var row in rows.Where(r => r.Name == owner && !string.IsNullOrEmpty(r.Element)))
            {
                // Nearest first: a table's own entry wins over the one it inherits.
                fields.TryAdd(row.Element!, new ServiceNowFieldDefinition(
                    row.Element!,
                    owner,
                    ServiceNowJson.NullIfEmpty(row.InternalType),
                    int.TryParse(row.MaxLength, NumberStyles.Integer, CultureInfo.InvariantCulture, out var max) && max > 0 ? max : null,
                    IsTrue(row.Mandatory),
                    IsTrue(row.ReadOnly)));
            }
        }

        if (fields.Count == 0)
        {
            warnings.Add($"ServiceNow returned no dictionary entries for '{table}' (the user's ACLs may hide sys_dictionary rows); its fields are unchecked.");
            return null;
        }

        return fields;
    }

    private static bool IsTrue(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase) || value == "1";

    /// <summary>Every row of the query, page by page; <c>null</c> (and a warning) when the user may not read the table.</summary>
    private async Task<List<T>?> ReadAllAsync<T>(string table, string query, string fields, List<string>? warnings, CancellationToken cancellationToken)
    {
        var all = new List<T>();
        for (var page = 0; page < MaxPages; page++)
        {
            var listQuery = new ServiceNowListQuery { Query = query + "^ORDERBYsys_id", Fields = fields, Limit = PageSize, Offset = page == 0 ? null : page * PageSize };
            using var response = await _send(
                authorization => _api.ListAsync(table, listQuery, authorization, cancellationToken), $"a read of table '{table}'", cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
            {
                throw await ServiceNowCall.ToExceptionAsync(response, $"to read table '{table}'", table, cancellationToken).ConfigureAwait(false);
            }

            if (!response.IsSuccessStatusCode)
            {
                var reason = await ServiceNowCall.ReadReasonAsync(response, cancellationToken).ConfigureAwait(false);
                warnings?.Add($"The ServiceNow user may not read {table} (HTTP {(int)response.StatusCode}: {reason}); the configured values are used unchecked.");
                return null;
            }

            var hasNext = response.Headers.TryGetValues("Link", out var links) && links.Any(l => NextLink().IsMatch(l));
            all.AddRange(await ServiceNowJson.ReadResultAsync<List<T>>(response, cancellationToken).ConfigureAwait(false));
            if (!hasNext)
            {
                break;
            }
        }

        return all;
    }

    [GeneratedRegex(@"rel\s*=\s*""?next""?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NextLink();
}
