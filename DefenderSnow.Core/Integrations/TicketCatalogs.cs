using DefenderSnow.Core.ServiceNow;

namespace DefenderSnow.Core.Integrations;

/// <summary>The ticket tables of an integration as its mappings define them: what <see cref="Integration.ToConnection"/> gives the client.</summary>
internal static class TicketCatalogs
{
    public static ServiceNowTicketCatalog Build(IReadOnlyList<TicketTypeMapping> mappings) => new(mappings.Select(Build).ToList());

    public static ServiceNowTicketTable Build(TicketTypeMapping m)
    {
        var template = ServiceNowTicketTables.Template(m.Table);
        var resolvedEnd = TicketTypeDefaults.For(m.Table).ResolvedEnd;
        var states = m.States.Select(s => s.Value)
            .Concat([m.ResolvedState, m.CanceledState, .. m.ClosedStates, .. m.ReopenState is null ? Array.Empty<string>() : [m.ReopenState]])
            .Distinct(StringComparer.Ordinal)
            .Select(value => new ServiceNowTicketState(value, m.LabelOf(value), m.IsTerminal(value), EndOf(m, value, resolvedEnd)))
            .ToList();

        var cancel = new Dictionary<string, string>(StringComparer.Ordinal) { ["state"] = m.CanceledState };
        var resolution = new Dictionary<string, string>(StringComparer.Ordinal) { ["state"] = m.ResolvedState };
        var removal = resolution;
        if (m.CloseCodeField is { } codeField)
        {
            if (m.CancelCode is { } cancelCode)
            {
                cancel[codeField] = cancelCode;
            }

            if (m.CloseCode is { } closeCode)
            {
                resolution[codeField] = closeCode;
            }

            if (m.RemovedCloseCode is { } removedCode)
            {
                removal = new Dictionary<string, string>(resolution, StringComparer.Ordinal) { [codeField] = removedCode };
            }
        }

        var from = m.ResolveFrom.Count > 0 ? m.ResolveFrom : states.Where(s => !s.IsTerminal).Select(s => s.Value).ToList();
        var fields = new HashSet<string>(template.Fields, StringComparer.Ordinal);
        fields.UnionWith(new[] { m.CloseCodeField, m.NotesField }.OfType<string>());
        return template with
        {
            States = states,
            CancelFields = cancel,
            ReopenFields = m.ReopenState is null ? null : new Dictionary<string, string>(StringComparer.Ordinal) { ["state"] = m.ReopenState },
            Resolution = new ServiceNowResolution(resolution, m.NotesField ?? "work_notes", from.ToHashSet(StringComparer.Ordinal)) { RemovedFields = removal },
            Fields = fields,
        };
    }

    // A cancel that needs a close code shares a closing state (problem: Closed with canceled), so that state says Closed.
    private static ServiceNowTicketEnd? EndOf(TicketTypeMapping m, string state, ServiceNowTicketEnd resolvedEnd) =>
        state == m.ResolvedState ? resolvedEnd
        : state == m.CanceledState ? (m.CancelCode is null ? ServiceNowTicketEnd.Canceled : ServiceNowTicketEnd.Closed)
        : m.ClosedStates.Contains(state) ? ServiceNowTicketEnd.Closed
        : null;
}
