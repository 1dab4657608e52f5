using DefenderSnow.Core.Errors;
using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// The optional ServiceNow fields an integration fills in, per ticket table. <c>assigned_to</c>, the
/// caller and <c>short_description</c> are always written and need not be listed.
/// </summary>
public sealed record TicketFields(IReadOnlyDictionary<string, IReadOnlyList<string>> ByTable)
{
    /// <summary>The optional fields of the contract.</summary>
    public static IReadOnlyList<string> Optional { get; } = ["assignment_group", "description", "impact", "urgency"];

    /// <summary>Used when a request lists no fields: the description (composed or given) on every ticket.</summary>
    public static TicketFields Default { get; } = DefaultFor(ServiceNowTicketTables.All.Select(t => t.Name).ToList());

    /// <summary>The default for these tables: the description on every ticket.</summary>
    public static TicketFields DefaultFor(IReadOnlyList<string> tables) => new(tables.ToDictionary(t => t, IReadOnlyList<string> (_) => ["description"]));

    public IReadOnlyList<string> For(string table) => ByTable.TryGetValue(table, out var fields) ? fields : [];

    /// <summary>
    /// Checks a requested field list: known tables only, and on each only fields that exist on that
    /// table and that DefenderSnow sets. Always-written fields may be listed; they are dropped.
    /// </summary>
    /// <exception cref="ValidationException">Naming each offending entry, e.g. <c>fields.problem[0]</c>.</exception>
    /// <param name="requested">The request's <c>fields</c>, or null for the default.</param>
    /// <param name="tables">The integration's ticket tables; null for incident, problem and change request.</param>
    /// <param name="path">The member the errors are named under.</param>
    public static TicketFields Parse(IReadOnlyDictionary<string, IReadOnlyList<string?>?>? requested, IReadOnlyList<string>? tables = null, string path = "fields")
    {
        tables ??= ServiceNowTicketTables.All.Select(t => t.Name).ToList();
        if (requested is null)
        {
            return DefaultFor(tables);
        }

        var errors = new Dictionary<string, string[]>();
        var result = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var (tableName, fields) in requested)
        {
            if (!tables.Contains(tableName))
            {
                errors[$"{path}.{tableName}"] = [$"'{tableName}' is not a ticket type of the integration; use {string.Join(", ", tables)}."];
                continue;
            }

            var table = ServiceNowTicketTables.Template(tableName);

            var always = new HashSet<string>(StringComparer.Ordinal) { "assigned_to", "short_description", table.CallerField };
            var kept = new List<string>();
            for (var i = 0; i < (fields?.Count ?? 0); i++)
            {
                var field = fields![i];
                var at = $"{path}.{tableName}[{i}]";
                if (string.IsNullOrWhiteSpace(field))
                {
                    errors[at] = ["A field name is required."];
                }
                else if (!table.HasField(field))
                {
                    errors[at] = [$"'{Shorten(field)}' is not a field of {table.Name}."];
                }
                else if (always.Contains(field))
                {
                    continue;
                }
                else if (!Optional.Contains(field))
                {
                    errors[at] = [$"'{field}' is not a field DefenderSnow sets; the optional fields are {string.Join(", ", Optional)}."];
                }
                else if (!kept.Contains(field))
                {
                    kept.Add(field);
                }
            }

            result[table.Name] = kept;
        }

        if (errors.Count > 0)
        {
            throw new ValidationException(errors);
        }

        foreach (var table in tables)
        {
            result.TryAdd(table, []);
        }

        return new TicketFields(result);
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
