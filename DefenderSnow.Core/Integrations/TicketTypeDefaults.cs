using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.ServiceNow.Instance;

namespace DefenderSnow.Core.Integrations;

/// <summary>A state DefenderSnow looks for: the out-of-box value and its label, found on an instance by either.</summary>
internal sealed record StateRef(string Value, string Label);

/// <summary>DefenderSnow's default mapping for one table, in out-of-box values and labels; the instance's own values replace them when read.</summary>
internal sealed record TicketTypeDefault(
    StateRef Resolved,
    string? CloseCodeField,
    IReadOnlyList<string> CloseCodes,
    string? NotesField,
    StateRef Canceled,
    string? CancelCode,
    StateRef? Reopen,
    IReadOnlyList<StateRef> Closed,
    IReadOnlyList<StateRef> ResolveFrom,
    IReadOnlyList<StateRef> States,
    ServiceNowTicketEnd ResolvedEnd = ServiceNowTicketEnd.Closed,
    IReadOnlyList<string>? RemovedCloseCodes = null);

/// <summary>
/// The out-of-box state models and close codes DefenderSnow assumes until the instance says otherwise. Each instance's
/// own are read from sys_choice (<see cref="ServiceNowSchemaReader"/>); a default is found there by its value and label,
/// by its label when renumbered, by its value when renamed.
/// </summary>
internal static class TicketTypeDefaults
{
    private static readonly StateRef IncidentNew = new("1", "New"), IncidentInProgress = new("2", "In Progress"), IncidentOnHold = new("3", "On Hold");

    // Incident: "Resolve and close an incident" (Resolution code and Resolution notes on Resolve), and the state model
    // New, In Progress, On Hold, Resolved, Closed, Canceled:
    // https://www.servicenow.com/docs/r/it-service-management/incident-management/resolve-and-close-an-incident.html
    // The close codes of current releases are "Solution provided", "Workaround provided", "Resolved by change", …; older
    // instances (and upgraded ones that kept them) have "Solved (Permanently)", "Solved (Work Around)", …: the first one
    // the instance offers is the default.
    private static readonly TicketTypeDefault IncidentDefault = new(
        Resolved: new("6", "Resolved"),
        CloseCodeField: "close_code",
        CloseCodes: ["Solution provided", "Solved (Permanently)"],
        NotesField: "close_notes",
        Canceled: new("8", "Canceled"),
        CancelCode: null,
        Reopen: IncidentInProgress,
        Closed: [new("7", "Closed")],
        ResolveFrom: [IncidentNew, IncidentInProgress, IncidentOnHold],
        States: [IncidentNew, IncidentInProgress, IncidentOnHold, new("6", "Resolved"), new("7", "Closed"), new("8", "Canceled")],
        ResolvedEnd: ServiceNowTicketEnd.Resolved,
        // A resource that disappeared was not fixed: current releases' "No resolution provided", older ones' "Not Solved
        // (Not Reproducible)" (the out-of-box lists, as New Relic's ServiceNow resolve action and a ServiceNow community
        // answer give them: https://docs.newrelic.com/docs/workflow-automation/setup-and-configure/actions-catalog/servicenow/servicenow-incident-resolve/,
        // https://www.servicenow.com/community/incident-management-forum/need-closure-code-definitions-amp-best-practices/m-p/2594757).
        // The other tables have no out-of-box code that says so; they send their close code unless one is named.
        RemovedCloseCodes: ["No resolution provided", "Not Solved (Not Reproducible)"]);

    // Problem state model: New, Assess, Root Cause Analysis, Fix in Progress, Resolved, Closed; Resolved from Root Cause
    // Analysis or Fix in Progress with resolution code fix_applied and fix notes; Closed with resolution code canceled (or
    // risk_accepted, duplicate) from any open state; a resolved problem is reopened to Fix in Progress.
    // (docs.servicenow.com, "Problem Management state model", as the simulator's SimTables cites it).
    private static readonly TicketTypeDefault ProblemDefault = new(
        Resolved: new("106", "Resolved"),
        CloseCodeField: "resolution_code",
        CloseCodes: ["fix_applied"],
        NotesField: "fix_notes",
        Canceled: new("107", "Closed"),
        CancelCode: "canceled",
        Reopen: new("104", "Fix in Progress"),
        Closed: [],
        ResolveFrom: [new("103", "Root Cause Analysis"), new("104", "Fix in Progress")],
        States: [new("101", "New"), new("102", "Assess"), new("103", "Root Cause Analysis"), new("104", "Fix in Progress"), new("106", "Resolved"), new("107", "Closed")],
        ResolvedEnd: ServiceNowTicketEnd.Resolved);

    // Normal change state model: New, Assess, Authorize, Scheduled, Implement, Review, Closed, Canceled; Closed with close
    // code successful from Review; a closed change is never reopened.
    // (docs.servicenow.com, "State model for change requests", as the simulator's SimTables cites it).
    private static readonly TicketTypeDefault ChangeDefault = new(
        Resolved: new("3", "Closed"),
        CloseCodeField: "close_code",
        CloseCodes: ["successful"],
        NotesField: "close_notes",
        Canceled: new("4", "Canceled"),
        CancelCode: null,
        Reopen: null,
        Closed: [],
        ResolveFrom: [new("0", "Review")],
        States: [new("-5", "New"), new("-4", "Assess"), new("-3", "Authorize"), new("-2", "Scheduled"), new("-1", "Implement"), new("0", "Review"), new("3", "Closed"), new("4", "Canceled")]);

    // Security Incident Response: states Draft, Analysis, Contain, Eradicate, Recover, Review, Closed (and Cancelled),
    // closed from Review with a close code and close notes; the close codes are Investigation completed, Threat
    // mitigated, Patched vulnerability, Invalid vulnerability, Not resolved, False positive.
    // https://docs.servicenow.com/bundle/helsinki-security-management/page/product/security-incident-response/concept/c_SecIncdRspStFl.html
    // https://www.servicenow.com/docs/r/security-management/security-incident-response/t_ClosingSecIncidents.html
    // The documentation names the states but not their numbers: the values here are the ones the simulator uses, and an
    // instance's own are found by label in what sys_choice says, so DefenderSnow depends on the labels only.
    private static readonly TicketTypeDefault SecurityIncidentDefault = new(
        Resolved: new("3", "Closed"),
        CloseCodeField: "close_code",
        CloseCodes: ["Threat mitigated", "Patched vulnerability", "Investigation completed"],
        NotesField: "close_notes",
        Canceled: new("7", "Cancelled"),
        CancelCode: null,
        Reopen: new("16", "Analysis"),
        Closed: [],
        ResolveFrom: [new("100", "Review")],
        States: [new("10", "Draft"), new("16", "Analysis"), new("18", "Contain"), new("19", "Eradicate"), new("20", "Recover"), new("100", "Review"), new("3", "Closed"), new("7", "Cancelled")]);

    // Any other table extending task starts from task's own states (Pending, Open, Work in Progress, Closed Complete,
    // Closed Incomplete, Closed Skipped) unless the request maps its own; it has no close code unless one is named.
    private static readonly TicketTypeDefault TaskDefault = new(
        Resolved: new("3", "Closed Complete"),
        CloseCodeField: null,
        CloseCodes: [],
        NotesField: "close_notes",
        Canceled: new("4", "Closed Incomplete"),
        CancelCode: null,
        Reopen: new("2", "Work in Progress"),
        Closed: [new("7", "Closed Skipped")],
        ResolveFrom: [],
        States: [new("-5", "Pending"), new("1", "Open"), new("2", "Work in Progress"), new("3", "Closed Complete"), new("4", "Closed Incomplete"), new("7", "Closed Skipped")]);

    public static TicketTypeDefault For(string table) => table switch
    {
        ServiceNowTicketTables.Incident => IncidentDefault,
        ServiceNowTicketTables.Problem => ProblemDefault,
        ServiceNowTicketTables.ChangeRequest => ChangeDefault,
        ServiceNowTicketTables.SecurityIncident => SecurityIncidentDefault,
        _ => TaskDefault,
    };

    /// <summary>The mapping used before anything was read (rows stored before mappings existed): the defaults as they are.</summary>
    public static TicketTypeMapping Unchecked(string table)
    {
        var d = For(table);
        return new TicketTypeMapping
        {
            Table = table,
            ResolvedState = d.Resolved.Value,
            CloseCodeField = d.CloseCodeField,
            CloseCode = d.CloseCodes.Count > 0 ? d.CloseCodes[0] : null,
            NotesField = d.NotesField,
            CanceledState = d.Canceled.Value,
            CancelCode = d.CancelCode,
            ReopenState = d.Reopen?.Value,
            ClosedStates = d.Closed.Select(s => s.Value).ToList(),
            ResolveFrom = d.ResolveFrom.Select(s => s.Value).ToList(),
            States = d.States.Select(s => new ServiceNowChoice(s.Value, s.Label)).ToList(),
            Checked = false,
        };
    }
}
