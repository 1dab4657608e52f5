using DefenderSnow.Core.Access;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Sla;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// A ServiceNow connection for one Azure scope. Its password, client secret and refresh token are
/// in Key Vault, never here.
/// </summary>
public sealed record Integration
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required DefenderScope Scope { get; init; }

    /// <summary>The instance's base URI, for example <c>https://contoso.service-now.com/</c>.</summary>
    public required Uri InstanceUrl { get; init; }

    public required string Username { get; init; }

    public required string ClientId { get; init; }

    /// <summary>
    /// The ServiceNow user's time zone (<c>sys_user.time_zone</c>, read at verification), in which ServiceNow reads the
    /// dates of the integration's queries; <c>null</c> reads them as UTC.
    /// </summary>
    public string? ServiceNowTimeZone { get; init; }

    /// <summary>
    /// How the instance reads the dates of this user's queries, measured at verification and again by each full pass
    /// (<c>ServiceNowQueryDateProbe</c>); <c>null</c> until first measured.
    /// </summary>
    public ServiceNowQueryDates? ServiceNowQueryDates { get; init; }

    public required FieldMode FieldMode { get; init; }

    public required TicketFields Fields { get; init; }

    /// <summary>The impact and urgency of composed tickets by Defender severity (<see cref="TicketPriorities.Default"/> unless changed).</summary>
    public TicketPriorities TicketPriorities { get; init; } = TicketPriorities.Default;

    /// <summary>
    /// The ticket tables the integration uses, each with its resolve, cancel and reopen values as the instance defines
    /// them (<see cref="TicketTypeResolver"/>); incident, problem and change request with their out-of-box values unless set.
    /// </summary>
    public IReadOnlyList<TicketTypeMapping> TicketTypes { get; init; } = DefaultTicketTypes;

    /// <summary>What could not be read or checked on the instance at its last read (an ACL on sys_choice, sys_dictionary, …); never a failure.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>When the instance's choices and fields were last read (creation, a change of ticket types, a full pass).</summary>
    public DateTimeOffset? InstanceReadAt { get; init; }

    /// <summary>
    /// The due-date days of its tickets by risk level and severity (<see cref="Sla.SlaMatrix"/>), for assignments whose request
    /// gives no date or days of its own; <c>null</c> when it has none, and every request must then give them.
    /// </summary>
    public SlaMatrix? SlaMatrix { get; init; }

    /// <summary>What sync does to a ticket whose finding Defender reports fixed or gone.</summary>
    public ResourceHealthyAction OnResourceHealthy { get; init; } = ResourceHealthyAction.Note;

    /// <summary>What deleting the integration writes to the open tickets of its live assignments.</summary>
    public IntegrationDeletedAction OnDelete { get; init; } = IntegrationDeletedAction.Note;

    /// <summary>
    /// Who may reach the integration, and with which roles (<see cref="IntegrationAccess"/>); empty in rows written
    /// before access lists existed, which only the admin role then reaches.
    /// </summary>
    public IReadOnlyList<AccessEntry> Access { get; init; } = [];

    public IntegrationStatus Status { get; init; } = IntegrationStatus.Connected;

    /// <summary>Why the status is not <see cref="IntegrationStatus.Connected"/>, in ServiceNow's words where it gave any.</summary>
    public string? StatusDetail { get; init; }

    /// <summary>Closures sync withheld for a person to look at, at most one per cause; empty when none.</summary>
    public IReadOnlyList<IntegrationAttention> NeedsAttention { get; init; } = [];

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The caller that created it, when App Service authentication names one.</summary>
    public string? CreatedBy { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public string? UpdatedBy { get; init; }

    public DateTimeOffset? LastSyncAt { get; init; }

    /// <summary>
    /// When the webhook secret was last generated; <c>null</c> while ticket events are not enabled. The secret before it
    /// is accepted until this plus <c>TicketEvents:SecretGracePeriod</c>.
    /// </summary>
    public DateTimeOffset? WebhookSecretRotatedAt { get; init; }

    /// <summary>Set when a delete began; a repeated delete finishes the work.</summary>
    public DateTimeOffset? DeletionStartedAt { get; init; }

    /// <summary>
    /// When a background delete's message chain last showed it is alive (started, or handed over a batch). A repeated
    /// delete starts no second chain while this is recent, so parallel chains never race over the same assignments.
    /// </summary>
    public DateTimeOffset? DeletionChainAt { get; init; }

    public static IReadOnlyList<TicketTypeMapping> DefaultTicketTypes { get; } = ServiceNowTicketTables.All.Select(t => TicketTypeDefaults.Unchecked(t.Name)).ToList();

    public IReadOnlyList<string> TicketTableNames => TicketTypes.Select(t => t.Table).ToList();

    public ServiceNowConnection ToConnection() => new(Id, InstanceUrl, Username, ClientId, ServiceNowTimeZone, ServiceNowQueryDates, TicketCatalogs.Build(TicketTypes));
}
