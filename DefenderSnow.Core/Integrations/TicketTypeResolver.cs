using DefenderSnow.Core.ServiceNow.Instance;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// Turns a table's requested mapping (or DefenderSnow's default) into the instance's own values, checked against what
/// the instance offers. A value the instance does not have is an error naming the member and listing what it has; where
/// the instance could not be read, the configured value is used as given and the mapping is marked unchecked.
/// </summary>
internal sealed class TicketTypeResolver
{
    private readonly string _path;
    private readonly Dictionary<string, string[]> _errors;

    /// <param name="path">The request member the errors are named under, e.g. <c>ticketTypes.incident</c>.</param>
    /// <param name="errors">Where errors go, keyed by member path.</param>
    public TicketTypeResolver(string path, Dictionary<string, string[]> errors)
    {
        _path = path;
        _errors = errors;
    }

    /// <returns>The mapping; null when the table itself is refused (it does not exist or does not extend task).</returns>
    public TicketTypeMapping? Resolve(string table, TicketTypeRequest? request, ServiceNowTableSchema? schema)
    {
        if (schema is { Lineage.Count: 0 })
        {
            Error(string.Empty, $"'{table}' is not a table of this ServiceNow instance.");
            return null;
        }

        if (schema is { Lineage: var lineage } && lineage[^1] != ServiceNowSchemaReader.Task)
        {
            Error(string.Empty, $"'{table}' does not extend task ({string.Join(" → ", lineage)}), so it is no ticket table.");
            return null;
        }

        var d = TicketTypeDefaults.For(table);
        var read = schema?.ChoicesOf("state");
        var states = read ?? d.States.Select(s => new ServiceNowChoice(s.Value, s.Label)).ToList();
        var stateCheck = new ChoiceCheck("state", states, read is not null);

        var resolved = Pick("resolvedState", request?.ResolvedState, d.Resolved, stateCheck);
        var canceled = Pick("canceledState", request?.CanceledState, d.Canceled, stateCheck);
        var reopen = Pick("reopenState", request?.ReopenState, d.Reopen, stateCheck);
        var closed = PickList("closedStates", request?.ClosedStates, d.Closed, stateCheck);
        var resolveFrom = PickList("resolveFrom", request?.ResolveFrom, d.ResolveFrom, stateCheck);

        var closeCodeField = request?.CloseCodeField ?? d.CloseCodeField;
        var notesField = request?.NotesField ?? d.NotesField;
        RequireField("closeCodeField", closeCodeField, schema);
        RequireField("notesField", notesField, schema);
        string? closeCode = null, cancelCode = null, removedCloseCode = null;
        if (closeCodeField is not null)
        {
            var codes = schema?.ChoicesOf(closeCodeField);
            var codeCheck = new ChoiceCheck(closeCodeField, codes ?? [], codes is { Count: > 0 });
            closeCode = PickCode("closeCode", request?.CloseCode, d.CloseCodes, codeCheck);
            cancelCode = request?.CancelCode is not null || d.CancelCode is not null
                ? PickCode("cancelCode", request?.CancelCode, d.CancelCode is null ? [] : [d.CancelCode], codeCheck)
                : null;
            removedCloseCode = PickRemovedCode(request?.RemovedCloseCode, d.RemovedCloseCodes ?? [], codeCheck);
        }
        else if (request?.CloseCode is not null || request?.RemovedCloseCode is not null)
        {
            Error(request.CloseCode is not null ? "closeCode" : "removedCloseCode", $"'{table}' has no close code field here; name it in closeCodeField.");
        }

        if (reopen is not null && (reopen == resolved || reopen == canceled || closed.Contains(reopen)))
        {
            Error("reopenState", $"'{reopen}' ends a ticket; a reopened ticket needs an open state.");
        }

        if (resolved is null || canceled is null)
        {
            return null;
        }

        return new TicketTypeMapping
        {
            Table = table,
            ResolvedState = resolved,
            CloseCodeField = closeCodeField,
            CloseCode = closeCode,
            RemovedCloseCode = removedCloseCode,
            NotesField = notesField,
            CanceledState = canceled,
            CancelCode = cancelCode,
            ReopenState = reopen,
            ClosedStates = closed.Where(s => s != resolved && s != canceled).ToList(),
            ResolveFrom = resolveFrom,
            States = states,
            Checked = read is not null,
        };
    }

    /// <summary>A requested value (by value, else by label), or the default (by value and label, else label, else value).</summary>
    private string? Pick(string member, string? given, StateRef? fallback, ChoiceCheck check)
    {
        if (given is not null)
        {
            return check.Find(given) ?? Refuse(member, given, check);
        }

        if (fallback is null)
        {
            return null;
        }

        var found = check.Offered.FirstOrDefault(c => c.Value == fallback.Value && Same(c.Label, fallback.Label))
            ?? check.Offered.FirstOrDefault(c => Same(c.Label, fallback.Label))
            ?? check.Offered.FirstOrDefault(c => c.Value == fallback.Value);
        if (found is not null || !check.Known)
        {
            return found?.Value ?? fallback.Value;
        }

        Error(member, $"This instance has no '{fallback.Label}' {check.Element} (DefenderSnow's default); give {_path}.{member}. It offers: {check.Describe()}.");
        return null;
    }

    private List<string> PickList(string member, IReadOnlyList<string?>? given, IReadOnlyList<StateRef> fallback, ChoiceCheck check)
    {
        if (given is null)
        {
            // Defaults the instance does not have are left out: these lists only add to what ends a ticket or allows a resolve.
            return fallback
                .Select(f => check.Known ? (check.Offered.FirstOrDefault(c => Same(c.Label, f.Label)) ?? check.Offered.FirstOrDefault(c => c.Value == f.Value))?.Value : f.Value)
                .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        }

        var result = new List<string>();
        for (var i = 0; i < given.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(given[i]))
            {
                Error($"{member}[{i}]", "A state is required.");
            }
            else if ((check.Find(given[i]!) ?? Refuse($"{member}[{i}]", given[i]!, check)) is { } value && !result.Contains(value))
            {
                result.Add(value);
            }
        }

        return result;
    }

    private string? PickCode(string member, string? given, IReadOnlyList<string> fallback, ChoiceCheck check)
    {
        if (given is not null)
        {
            return check.Find(given) ?? Refuse(member, given, check);
        }

        if (!check.Known)
        {
            return fallback.Count > 0 ? fallback[0] : null;
        }

        var found = fallback.Select(check.Find).FirstOrDefault(v => v is not null);
        if (found is null && fallback.Count > 0)
        {
            Error(member, $"This instance offers none of DefenderSnow's default {check.Element} values ({string.Join(", ", fallback)}); give {_path}.{member}. It offers: {check.Describe()}.");
        }

        return found;
    }

    /// <summary>
    /// A requested code must be offered; a default is taken only where the instance offers it, since the code a table
    /// ends with otherwise (<c>closeCode</c>) is a safe fallback and an unread instance may not know the default at all.
    /// </summary>
    private string? PickRemovedCode(string? given, IReadOnlyList<string> fallback, ChoiceCheck check) =>
        given is not null
            ? check.Find(given) ?? Refuse("removedCloseCode", given, check)
            : check.Known ? fallback.Select(check.Find).FirstOrDefault(v => v is not null) : null;

    private void RequireField(string member, string? field, ServiceNowTableSchema? schema)
    {
        if (field is not null && schema?.HasField(field) == false)
        {
            Error(member, $"'{field}' is not a field of {schema.Name} on this instance.");
        }
    }

    private string? Refuse(string member, string given, ChoiceCheck check)
    {
        if (!check.Known)
        {
            return given;
        }

        Error(member, $"'{given}' is not a {check.Element} this instance offers; it offers: {check.Describe()}.");
        return null;
    }

    private void Error(string member, string message) => _errors[member.Length == 0 ? _path : $"{_path}.{member}"] = [message];

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>The choices of one field, and whether they are the instance's (false: unknown, nothing is refused).</summary>
    private sealed record ChoiceCheck(string Element, IReadOnlyList<ServiceNowChoice> Offered, bool Known)
    {
        public string? Find(string given) =>
            (Offered.FirstOrDefault(c => c.Value == given) ?? Offered.FirstOrDefault(c => Same(c.Label, given)))?.Value ?? (Known ? null : given);

        public string Describe() => string.Join(", ", Offered.Select(c => c.Value == c.Label ? c.Value : $"{c.Value} ({c.Label})"));
    }
}
