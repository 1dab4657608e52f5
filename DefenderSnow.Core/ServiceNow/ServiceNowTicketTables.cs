using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>The ticket tables DefenderSnow writes to, with their numbers, states and fields.</summary>
public static class ServiceNowTicketTables
{
    public const string Incident = "incident";
    public const string Problem = "problem";
    public const string ChangeRequest = "change_request";

    /// <summary>Security Incident Response's security incident; a ticket type an integration adds, not one of the defaults.</summary>
    public const string SecurityIncident = "sn_si_incident";

    /// <summary>Written to <c>correlation_display</c> of every ticket we open, so our tickets can be told apart.</summary>
    public const string CorrelationDisplay = "DefenderSnow";

    /// <summary>
    /// <c>correlation_display</c> of a ticket that follows an earlier one of the same finding: this, then its number. Our
    /// tickets are those whose <c>correlation_display</c> is <see cref="CorrelationDisplay"/> or starts with this.
    /// </summary>
    public const string CorrelationDisplayFollowing = CorrelationDisplay + "-after-";

    /// <summary>The encoded-query condition that selects our tickets (and never the access check's).</summary>
    public const string OursQuery = "correlation_display=" + CorrelationDisplay + "^ORcorrelation_displaySTARTSWITH" + CorrelationDisplayFollowing;

    /// <summary>Whether <paramref name="correlationDisplay"/> is one DefenderSnow writes on the tickets it opens (what <see cref="OursQuery"/> selects).</summary>
    public static bool IsOurCorrelationDisplay(string? correlationDisplay) =>
        correlationDisplay is not null
        && (string.Equals(correlationDisplay, CorrelationDisplay, StringComparison.Ordinal)
            || correlationDisplay.StartsWith(CorrelationDisplayFollowing, StringComparison.Ordinal));

    private static readonly string[] CommonFields =
    [
        "sys_id", "number", "state", "active", "short_description", "description", "assigned_to", "assignment_group",
        "impact", "urgency", "priority", "opened_by", "opened_at", "closed_at", "closed_by", "correlation_id",
        "correlation_display", "work_notes", "comments", "due_date", "sys_created_on", "sys_created_by", "sys_updated_on",
        "sys_updated_by", "sys_mod_count", "sys_class_name",

        // The configuration item, a reference to cmdb_ci, is a task field, so every ticket table has it (set by sys_id:
        // https://www.servicenow.com/community/servicenow-ai-platform-forum/create-an-incident-related-to-a-ci-via-the-rest-table-api/m-p/1077342).
        "cmdb_ci",
    ];

    public static ServiceNowTicketTable IncidentTable { get; } = new()
    {
        Name = Incident,
        NumberPrefix = "INC",
        CallerField = "caller_id",
        InitialState = "1",
        States =
        [
            new("1", "New", false),
            new("2", "In Progress", false),
            new("3", "On Hold", false),
            new("6", "Resolved", true, ServiceNowTicketEnd.Resolved),
            new("7", "Closed", true, ServiceNowTicketEnd.Closed),
            new("8", "Canceled", true, ServiceNowTicketEnd.Canceled),
        ],
        CancelFields = new Dictionary<string, string> { ["state"] = "8" },
        ReopenFields = new Dictionary<string, string> { ["state"] = "2" },
        // Incident state model: any open state moves to Resolved, which asks for a resolution code and notes.
        Resolution = new(new Dictionary<string, string> { ["state"] = "6", ["close_code"] = "Solution provided" }, "close_notes", new HashSet<string> { "1", "2", "3" }),
        Fields = FieldSet("caller_id", "close_code", "close_notes", "resolved_at", "resolved_by", "category"),
    };

    public static ServiceNowTicketTable ProblemTable { get; } = new()
    {
        Name = Problem,
        NumberPrefix = "PRB",
        CallerField = "opened_by",
        InitialState = "101",
        States =
        [
            new("101", "New", false),
            new("102", "Assess", false),
            new("103", "Root Cause Analysis", false),
            new("104", "Fix in Progress", false),
            new("106", "Resolved", true, ServiceNowTicketEnd.Resolved),
            new("107", "Closed", true, ServiceNowTicketEnd.Closed),
        ],
        CancelFields = new Dictionary<string, string> { ["state"] = "107", ["resolution_code"] = "canceled" },
        ReopenFields = new Dictionary<string, string> { ["state"] = "104" },
        CancelNotesField = "fix_notes",
        // Problem state model: Resolved is reached from Root Cause Analysis or Fix in Progress, with resolution code
        // fix_applied and the fix notes; a New or Assess problem cannot be resolved (only closed as canceled, duplicate…).
        Resolution = new(new Dictionary<string, string> { ["state"] = "106", ["resolution_code"] = "fix_applied" }, "fix_notes", new HashSet<string> { "103", "104" }),
        Fields = FieldSet("resolution_code", "cause_notes", "fix_notes", "resolved_at", "resolved_by", "category"),
    };

    public static ServiceNowTicketTable ChangeRequestTable { get; } = new()
    {
        Name = ChangeRequest,
        NumberPrefix = "CHG",
        CallerField = "requested_by",
        InitialState = "-5",
        States =
        [
            new("-5", "New", false),
            new("-4", "Assess", false),
            new("-3", "Authorize", false),
            new("-2", "Scheduled", false),
            new("-1", "Implement", false),
            new("0", "Review", false),
            new("3", "Closed", true, ServiceNowTicketEnd.Closed),
            new("4", "Canceled", true, ServiceNowTicketEnd.Canceled),
        ],
        CancelFields = new Dictionary<string, string> { ["state"] = "4" },
        // Normal change state model: a change has no Resolved state; it is closed (successful) from Review only.
        Resolution = new(new Dictionary<string, string> { ["state"] = "3", ["close_code"] = "successful" }, "close_notes", new HashSet<string> { "0" }),
        Fields = FieldSet("requested_by", "close_code", "close_notes", "type", "start_date", "end_date", "category"),
    };

    /// <summary>The ticket tables of an integration that names none: the three ITSM tables, with their out-of-box values.</summary>
    public static IReadOnlyList<ServiceNowTicketTable> All { get; } = [IncidentTable, ProblemTable, ChangeRequestTable];

    /// <summary>The parts of a table that are no choice of the instance (number prefix, caller field, the fields DefenderSnow knows).</summary>
    public static ServiceNowTicketTable Template(string name) => name switch
    {
        Incident => IncidentTable,
        Problem => ProblemTable,
        ChangeRequest => ChangeRequestTable,
        // Security incidents have no caller field of task's kind; opened_by (task) names who opened it. Numbers SIR….
        SecurityIncident => OtherTable(name, "SIR", "close_code", "close_notes", "category"),
        _ => OtherTable(name, string.Empty, "close_notes"),
    };

    private static ServiceNowTicketTable OtherTable(string name, string prefix, params string[] fields) => new()
    {
        Name = name,
        NumberPrefix = prefix,
        CallerField = "opened_by",
        InitialState = string.Empty,
        States = [],
        CancelFields = new Dictionary<string, string>(),
        Resolution = new(new Dictionary<string, string>(), "work_notes", new HashSet<string>()),
        Fields = FieldSet(fields),
    };

    public static bool TryGet(string? name, [NotNullWhen(true)] out ServiceNowTicketTable? table)
    {
        table = All.FirstOrDefault(t => t.Name == name);
        return table is not null;
    }

    /// <summary>The table named <paramref name="name"/>; throws <see cref="ArgumentException"/> for any other name.</summary>
    public static ServiceNowTicketTable Get(string name) =>
        TryGet(name, out var table) ? table : throw new ArgumentException($"'{name}' is not a ticket table (incident, problem, change_request).", nameof(name));

    private static FrozenSet<string> FieldSet(params string[] specific) => CommonFields.Concat(specific).ToFrozenSet(StringComparer.Ordinal);
}
