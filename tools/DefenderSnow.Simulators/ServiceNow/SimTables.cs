namespace DefenderSnow.Simulators.ServiceNow;

/// <summary>The tables of the simulated instance, as ServiceNow's documentation describes them.</summary>
internal static class SimTables
{
    private static readonly string[] SystemFields = ["sys_id", "sys_created_on", "sys_created_by", "sys_updated_on", "sys_updated_by", "sys_mod_count", "sys_class_name"];

    private static readonly Dictionary<string, string> ImpactUrgency = new() { ["1"] = "1 - High", ["2"] = "2 - Medium", ["3"] = "3 - Low" };

    private static readonly Dictionary<string, string> Priority = new()
    {
        ["1"] = "1 - Critical",
        ["2"] = "2 - High",
        ["3"] = "3 - Moderate",
        ["4"] = "4 - Low",
        ["5"] = "5 - Planning",
    };

    // Default dictionary lengths of the task table (docs.servicenow.com, "Task table" dictionary entries).
    private static readonly Dictionary<string, int> TaskLengths = new()
    {
        ["short_description"] = 160,
        ["correlation_id"] = 100,
        ["correlation_display"] = 100,
        ["description"] = 4000,
    };

    public static readonly IReadOnlyDictionary<string, SimTable> All = new[]
    {
        new SimTable
        {
            Name = "incident",
            NumberPrefix = "INC",
            FirstNumber = 10001,
            DisplayField = "number",
            InitialState = "1",
            Fields = TaskFields(("caller_id", "sys_user"), ("close_code", null), ("close_notes", null), ("resolved_at", null), ("resolved_by", "sys_user"), ("category", null)),
            SuperClass = "task",
            // Current releases' resolution codes, then the legacy ones that upgraded instances keep (the product sends the
            // first of its defaults the instance offers; tests remove the legacy ones to make a current instance).
            Choices = TaskChoices(
                new() { ["1"] = "New", ["2"] = "In Progress", ["3"] = "On Hold", ["6"] = "Resolved", ["7"] = "Closed", ["8"] = "Canceled" },
                ("close_code", Same("Duplicate", "Known error", "No resolution provided", "Resolved by caller", "Resolved by change", "Resolved by problem", "Resolved by request", "Solution provided", "Workaround provided", "User error", "Solved (Permanently)", "Solved (Work Around)"))),
            StatesNeedingCloseFields = new HashSet<string> { "6", "7" },
            CloseFields = [("close_code", "Resolution code"), ("close_notes", "Resolution notes")],
            InactiveStates = new HashSet<string> { "7", "8" },
            // Incident state model (docs.servicenow.com, "Incident Management state model"): open states move
            // freely among themselves and to Resolved or Canceled; Resolved reopens to In Progress or closes.
            Transitions = Model(
                ("1", ["2", "3", "6", "7", "8"]),
                ("2", ["1", "3", "6", "7", "8"]),
                ("3", ["1", "2", "6", "7", "8"]),
                ("6", ["2", "7"]),
                ("7", []),
                ("8", [])),
            MaxLengths = TaskLengths,
        },
        new SimTable
        {
            Name = "problem",
            NumberPrefix = "PRB",
            FirstNumber = 40001,
            DisplayField = "number",
            InitialState = "101",
            Fields = TaskFields(("resolution_code", null), ("cause_notes", null), ("fix_notes", null), ("resolved_at", null), ("resolved_by", "sys_user"), ("category", null)),
            SuperClass = "task",
            Choices = TaskChoices(
                new() { ["101"] = "New", ["102"] = "Assess", ["103"] = "Root Cause Analysis", ["104"] = "Fix in Progress", ["106"] = "Resolved", ["107"] = "Closed" },
                ("resolution_code", new() { ["fix_applied"] = "Fix Applied", ["risk_accepted"] = "Risk Accepted", ["duplicate"] = "Duplicate", ["canceled"] = "Canceled" })),
            StatesNeedingCloseFields = new HashSet<string> { "106", "107" },
            CloseFields = [("resolution_code", "Resolution code")],
            InactiveStates = new HashSet<string> { "107" },
            // Problem state model (docs.servicenow.com, "Problem Management state model"): New → Assess → Root Cause
            // Analysis → Fix in Progress → Resolved → Closed, and Closed (risk accepted, duplicate, canceled) from any open state.
            Transitions = Model(
                ("101", ["102", "107"]),
                ("102", ["103", "107"]),
                ("103", ["104", "106", "107"]),
                ("104", ["106", "107"]),
                ("106", ["104", "107"]),
                ("107", [])),
            MaxLengths = TaskLengths,
        },
        new SimTable
        {
            Name = "change_request",
            NumberPrefix = "CHG",
            FirstNumber = 30001,
            DisplayField = "number",
            InitialState = "-5",
            Fields = TaskFields(("requested_by", "sys_user"), ("close_code", null), ("close_notes", null), ("type", null), ("start_date", null), ("end_date", null), ("category", null)),
            SuperClass = "task",
            Choices = TaskChoices(
                new() { ["-5"] = "New", ["-4"] = "Assess", ["-3"] = "Authorize", ["-2"] = "Scheduled", ["-1"] = "Implement", ["0"] = "Review", ["3"] = "Closed", ["4"] = "Canceled" },
                ("close_code", new() { ["successful"] = "Successful", ["successful_issues"] = "Successful with issues", ["unsuccessful"] = "Unsuccessful" })),
            StatesNeedingCloseFields = new HashSet<string> { "3" },
            CloseFields = [("close_code", "Close code"), ("close_notes", "Close notes")],
            InactiveStates = new HashSet<string> { "3", "4" },
            // Normal change state model (docs.servicenow.com, "State model for change requests"): each step in turn,
            // and Canceled from any open step.
            Transitions = Model(
                ("-5", ["-4", "4"]),
                ("-4", ["-3", "4"]),
                ("-3", ["-2", "4"]),
                ("-2", ["-1", "4"]),
                ("-1", ["0", "4"]),
                ("0", ["3", "4"]),
                ("3", []),
                ("4", [])),
            MaxLengths = TaskLengths,
        },
        new SimTable
        {
            // Security Incident Response (docs: "Security Incident Response state flows", Draft → Analysis → Contain →
            // Eradicate → Recover → Review → Closed, https://docs.servicenow.com/bundle/helsinki-security-management/page/product/security-incident-response/concept/c_SecIncdRspStFl.html;
            // closed from Review with a close code and close notes, "Close security incidents",
            // https://www.servicenow.com/docs/r/security-management/security-incident-response/t_ClosingSecIncidents.html).
            // The documentation gives labels only; the numbers here are the simulator's, which is why DefenderSnow finds
            // SIR's states by label in sys_choice. The process definition (NIST stateful by default) is customisable, as here.
            Name = "sn_si_incident",
            NumberPrefix = "SIR",
            FirstNumber = 10001,
            DisplayField = "number",
            InitialState = "10",
            SuperClass = "task",
            Fields = TaskFields(("close_code", null), ("close_notes", null), ("category", null)),
            Choices = TaskChoices(
                new() { ["10"] = "Draft", ["16"] = "Analysis", ["18"] = "Contain", ["19"] = "Eradicate", ["20"] = "Recover", ["100"] = "Review", ["3"] = "Closed", ["7"] = "Cancelled" },
                ("close_code", Same("Investigation completed", "Threat mitigated", "Patched vulnerability", "Invalid vulnerability", "Not resolved", "False positive"))),
            StatesNeedingCloseFields = new HashSet<string> { "3" },
            CloseFields = [("close_code", "Close code"), ("close_notes", "Close notes")],
            InactiveStates = new HashSet<string> { "3", "7" },
            Transitions = Model(
                ("10", ["16", "7"]),
                ("16", ["18", "19", "20", "100", "7"]),
                ("18", ["16", "19", "20", "100", "7"]),
                ("19", ["16", "18", "20", "100", "7"]),
                ("20", ["16", "18", "19", "100", "7"]),
                ("100", ["16", "3", "7"]),
                ("3", []),
                ("7", [])),
            MaxLengths = TaskLengths,
        },
        new SimTable
        {
            Name = SimDefinitions.DbObject,
            DisplayField = "name",
            Fields = WithSystem(("name", null), ("label", null), ("super_class", SimDefinitions.DbObject)),
        },
        new SimTable
        {
            Name = SimDefinitions.Choice,
            DisplayField = "label",
            Fields = WithSystem(("name", null), ("element", null), ("value", null), ("label", null), ("language", null), ("sequence", null), ("inactive", null)),
        },
        new SimTable
        {
            Name = SimDefinitions.Dictionary,
            DisplayField = "element",
            Fields = WithSystem(("name", null), ("element", null), ("internal_type", null), ("max_length", null), ("mandatory", null), ("read_only", null), ("active", null)),
        },
        new SimTable
        {
            Name = "sys_user",
            DisplayField = "name",
            Fields = WithSystem(("user_name", null), ("email", null), ("name", null), ("first_name", null), ("last_name", null), ("active", null), ("manager", "sys_user"), ("title", null), ("time_zone", null)),
        },
        new SimTable
        {
            // System properties, glide.sys.default.tz among them; usually readable only by administrators
            // (https://www.servicenow.com/docs/r/zurich/platform-administration/time-configuration/r_TimeZones.html).
            Name = "sys_properties",
            DisplayField = "name",
            Fields = WithSystem(("name", null), ("value", null), ("type", null), ("description", null)),
        },
        new SimTable
        {
            // Configuration Item [cmdb_ci], the base class of every CI class, with the attributes the product reads
            // (https://www.servicenow.com/docs/r/australia/servicenow-platform/configuration-management-database-cmdb/cmdb-table-property-descriptions.html).
            // object_id is where the Service Graph Connector for Microsoft Azure keeps the Azure resource id
            // (https://www.servicenow.com/docs/r/q4dSP2Icgr1SFv5wanVXvQ/nEnkCPuhX06ZCQ5l2yUg2Q); a task's cmdb_ci references it.
            // A CI of a class extending cmdb_ci is read here through cmdb_ci, as a query on a base table returns its children's rows.
            Name = "cmdb_ci",
            DisplayField = "name",
            Fields = WithSystem(("name", null), ("object_id", null), ("operational_status", null)),
        },
        new SimTable
        {
            Name = "sys_user_group",
            DisplayField = "name",
            Fields = WithSystem(("name", null), ("description", null), ("active", null), ("manager", "sys_user"), ("email", null)),
        },
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>Date-time fields: a value compared with them in a query is read in the API user's time zone.</summary>
    public static readonly IReadOnlySet<string> DateTimeFields = new HashSet<string>
    {
        "sys_created_on", "sys_updated_on", "opened_at", "closed_at", "resolved_at", "start_date", "end_date", "due_date",
    };

    /// <summary>Journal fields accept writes (appended to the history) but read back as "".</summary>
    public static readonly IReadOnlySet<string> JournalFields = new HashSet<string> { "work_notes", "comments" };

    private static Dictionary<string, IReadOnlyList<string>> Model(params (string From, string[] To)[] transitions) =>
        transitions.ToDictionary(t => t.From, t => (IReadOnlyList<string>)t.To, StringComparer.Ordinal);

    // due_date: the task table's Due date, a date-time stored in UTC (https://old.wiki/index.php/Task_Table).
    private static Dictionary<string, string?> TaskFields(params (string Name, string? Reference)[] specific) => WithSystem(
        [
            ("number", null), ("state", null), ("active", null), ("short_description", null), ("description", null),
            ("assigned_to", "sys_user"), ("assignment_group", "sys_user_group"), ("impact", null), ("urgency", null), ("priority", null),
            ("opened_by", "sys_user"), ("opened_at", null), ("closed_at", null), ("closed_by", "sys_user"), ("correlation_id", null),
            ("correlation_display", null), ("work_notes", null), ("comments", null), ("cmdb_ci", "cmdb_ci"), ("due_date", null), .. specific,
        ]);

    private static Dictionary<string, string?> WithSystem(params (string Name, string? Reference)[] fields)
    {
        var all = fields.ToDictionary(f => f.Name, f => f.Reference, StringComparer.Ordinal);
        foreach (var field in SystemFields)
        {
            all[field] = null;
        }

        return all;
    }

    private static Dictionary<string, IReadOnlyDictionary<string, string>> TaskChoices(Dictionary<string, string> states, params (string Element, Dictionary<string, string> Values)[] more)
    {
        var choices = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["state"] = states,
            ["impact"] = ImpactUrgency,
            ["urgency"] = ImpactUrgency,
            ["priority"] = Priority,
        };
        foreach (var (element, values) in more)
        {
            choices[element] = values;
        }

        return choices;
    }

    /// <summary>Choices whose value is their label (incident's close codes are stored as their labels).</summary>
    private static Dictionary<string, string> Same(params string[] values) => values.ToDictionary(v => v, v => v, StringComparer.Ordinal);
}
