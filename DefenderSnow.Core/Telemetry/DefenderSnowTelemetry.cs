using System.Diagnostics;
using System.Diagnostics.Metrics;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Upstream;

namespace DefenderSnow.Core.Telemetry;

/// <summary>
/// DefenderSnow's own traces and metrics (OpenTelemetry names). Dimensions are low-cardinality
/// words (a table, a reason, a service), never ids, names, URLs or anything secret.
/// </summary>
public sealed class DefenderSnowTelemetry : IDisposable
{
    /// <summary>The name of the <see cref="ActivitySource"/> and of the meter.</summary>
    public const string Name = "DefenderSnow";

    private readonly Counter<long> _ticketsCreated;
    private readonly Counter<long> _assignmentsClosed;
    private readonly Counter<long> _ownersChanged;
    private readonly Counter<long> _throttled;
    private readonly Histogram<double> _syncDuration;
    private readonly Counter<long> _ticketEventsAccepted;
    private readonly Counter<long> _ticketEventsRefused;
    private readonly Counter<long> _ticketEventsApplied;

    public DefenderSnowTelemetry(IMeterFactory meters)
    {
        ActivitySource = new ActivitySource(Name);
        var meter = meters.Create(Name);
        _ticketsCreated = meter.CreateCounter<long>("defendersnow.tickets.created", "{ticket}", "ServiceNow tickets opened for assignments.");
        _assignmentsClosed = meter.CreateCounter<long>("defendersnow.assignments.closed", "{assignment}", "Assignments closed, by reason.");
        _ownersChanged = meter.CreateCounter<long>("defendersnow.owners.changed", "{assignment}", "Owners changed in Defender because the ServiceNow assignee changed.");
        _throttled = meter.CreateCounter<long>("defendersnow.upstream.throttled", "{response}", "429 answers from ServiceNow and Resource Manager.");
        _syncDuration = meter.CreateHistogram<double>("defendersnow.sync.duration", "s", "How long one integration's sync took.");
        _ticketEventsAccepted = meter.CreateCounter<long>("defendersnow.ticket_events.accepted", "{event}", "Ticket events from ServiceNow taken; collapsed ones joined a read already queued.");
        _ticketEventsRefused = meter.CreateCounter<long>("defendersnow.ticket_events.refused", "{event}", "Ticket events refused, by reason.");
        _ticketEventsApplied = meter.CreateCounter<long>("defendersnow.ticket_events.applied", "{ticket}", "Tickets read and applied because of an event, by outcome.");
    }

    public ActivitySource ActivitySource { get; }

    /// <summary>Starts a span of DefenderSnow's own work (a sync run, one integration's sync); null when nobody listens.</summary>
    public Activity? StartActivity(string name, ActivityKind kind = ActivityKind.Internal) => ActivitySource.StartActivity(name, kind);

    /// <param name="byRule">Whether an automation rule opened it (<c>source=rule</c>) rather than a caller (<c>source=request</c>).</param>
    public void TicketCreated(string table, bool byRule = false) => _ticketsCreated.Add(
        1, new KeyValuePair<string, object?>("ticket.table", table), new KeyValuePair<string, object?>("source", byRule ? "rule" : "request"));

    public void AssignmentClosed(ClosedReason reason) => _assignmentsClosed.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));

    public void OwnerChanged() => _ownersChanged.Add(1);

    public void Throttled(UpstreamSystem system) => _throttled.Add(1, new KeyValuePair<string, object?>("service", NameOf(system)));

    /// <summary>The upstream's name in metrics and in its resilience pipeline.</summary>
    public static string NameOf(UpstreamSystem system) => system switch
    {
        UpstreamSystem.ServiceNow => "servicenow",
        UpstreamSystem.ResourceManager => "resource-manager",
        _ => throw new ArgumentOutOfRangeException(nameof(system), system, null),
    };

    public void SyncCompleted(TimeSpan duration, bool full, string outcome) => _syncDuration.Record(
        duration.TotalSeconds,
        new KeyValuePair<string, object?>("sync.full", full),
        new KeyValuePair<string, object?>("outcome", outcome));

    public void TicketEventAccepted(bool collapsed) => _ticketEventsAccepted.Add(1, new KeyValuePair<string, object?>("collapsed", collapsed));

    public void TicketEventRefused(TicketEvents.TicketEventRefusal reason) => _ticketEventsRefused.Add(1, new KeyValuePair<string, object?>("reason", reason switch
    {
        TicketEvents.TicketEventRefusal.MissingSignature => "missing-signature",
        TicketEvents.TicketEventRefusal.StaleTimestamp => "stale-timestamp",
        TicketEvents.TicketEventRefusal.BadSignature => "bad-signature",
        TicketEvents.TicketEventRefusal.UnknownIntegration => "unknown-integration",
        TicketEvents.TicketEventRefusal.NotOurs => "not-ours",
        TicketEvents.TicketEventRefusal.TooLarge => "too-large",
        TicketEvents.TicketEventRefusal.Malformed => "malformed",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    }));

    public void TicketEventApplied(bool succeeded) => _ticketEventsApplied.Add(1, new KeyValuePair<string, object?>("outcome", succeeded ? "applied" : "failed"));

    public void Dispose() => ActivitySource.Dispose();
}
