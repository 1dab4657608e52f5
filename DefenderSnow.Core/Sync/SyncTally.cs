using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Contract;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Upstream;

namespace DefenderSnow.Core.Sync;

/// <summary>What one integration's sync did so far; becomes its <see cref="IntegrationSyncResult"/>.</summary>
internal sealed class SyncTally
{
    private readonly Dictionary<string, int> _closed = new(StringComparer.Ordinal);
    private readonly List<SyncError> _errors = [];
    private readonly Dictionary<string, int> _bySeverity = new(StringComparer.Ordinal);
    private readonly List<UnrecognizedSeverity> _unrecognized = [];
    private readonly List<IntegrationAttention> _attention = [];
    private readonly HashSet<AttentionCause> _guardsRun = [];

    public SyncTally(string integrationId)
    {
        IntegrationId = integrationId;
    }

    public string IntegrationId { get; }

    /// <summary>The run this tally counts for; named in what it raises for a person.</summary>
    public string RunId { get; init; } = string.Empty;

    /// <summary>Tickets a bulk read left out whose read by sys_id was refused or blank: reported, never closed.</summary>
    public int TicketsUnreadable { get; set; }

    /// <summary>Closures a mass-closure guard withheld.</summary>
    public int ClosuresWithheld { get; set; }

    /// <summary>What the guards raised for a person in this run.</summary>
    public IReadOnlyList<IntegrationAttention> Attention => _attention;

    /// <summary>The guards that ran to the end in this run, whether or not they held: their earlier marks are settled.</summary>
    public IReadOnlySet<AttentionCause> GuardsRun => _guardsRun;

    public void Raise(IntegrationAttention attention) => _attention.Add(attention);

    public void GuardRan(AttentionCause cause) => _guardsRun.Add(cause);

    public int TicketsExamined { get; set; }

    public int OwnersChanged { get; set; }

    public int TicketStatesUpdated { get; set; }

    public int RuleTicketsOpened { get; set; }

    public int RuleTicketsWaiting { get; set; }

    public int ConfigurationItemsNotFound { get; set; }

    public int FindingsRead { get; set; }

    public IReadOnlyList<SyncError> Errors => _errors;

    public void Closed(ClosedReason reason)
    {
        var name = reason.ToContract();
        _closed[name] = _closed.GetValueOrDefault(name) + 1;
    }

    /// <summary>A ticket a rule opened, counted under its finding's severity; an unrecognized one is listed once per recommendation.</summary>
    public void RuleTicket(string assessmentName, string? severity)
    {
        var name = severity ?? "unknown";
        _bySeverity[name] = _bySeverity.GetValueOrDefault(name) + 1;
        if (Findings.FindingSeverity.IsUnrecognized(severity)
            && !_unrecognized.Any(u => string.Equals(u.AssessmentName, assessmentName, StringComparison.OrdinalIgnoreCase)))
        {
            _unrecognized.Add(new UnrecognizedSeverity(assessmentName, severity!));
        }
    }

    public void Error(string? ticket, string message) => _errors.Add(new SyncError(IntegrationId, ticket, message));

    /// <summary>
    /// Adds what <paramref name="part"/> counted. A tally is not thread-safe: work done concurrently counts into a
    /// part each and is added here afterwards, in read order, so errors keep that order.
    /// </summary>
    public void Add(SyncTally part)
    {
        TicketsExamined += part.TicketsExamined;
        OwnersChanged += part.OwnersChanged;
        TicketStatesUpdated += part.TicketStatesUpdated;
        TicketsUnreadable += part.TicketsUnreadable;
        foreach (var (reason, count) in part._closed)
        {
            _closed[reason] = _closed.GetValueOrDefault(reason) + count;
        }

        _errors.AddRange(part._errors);
    }

    public IntegrationSyncResult ToResult(IntegrationSyncResult started, IntegrationSyncStatus status, string? note, DateTimeOffset finishedAt, UpstreamRequestTally requests) =>
        started with
        {
            Status = status,
            Note = note,
            FinishedAt = finishedAt,
            TicketsExamined = TicketsExamined,
            AssignmentsClosed = new Dictionary<string, int>(_closed),
            OwnersChanged = OwnersChanged,
            TicketStatesUpdated = TicketStatesUpdated,
            RuleTicketsOpened = RuleTicketsOpened,
            RuleTicketsWaiting = RuleTicketsWaiting,
            ConfigurationItemsNotFound = ConfigurationItemsNotFound,
            RuleTicketsBySeverity = new Dictionary<string, int>(_bySeverity),
            UnrecognizedSeverities = _unrecognized.ToList(),
            FindingsRead = FindingsRead,
            TicketsUnreadable = TicketsUnreadable,
            ClosuresWithheld = ClosuresWithheld,
            NeedsAttention = _attention.ToList(),
            Errors = _errors.ToList(),
            ServiceNowRequests = requests.ServiceNow,
            ResourceManagerRequests = requests.ResourceManager,
        };
}
