using System.Text.Json;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.TicketEvents;

/// <summary>
/// Takes a ticket event from ServiceNow (anonymous at the Functions level: the signature is its authentication) and
/// queues its ticket for <see cref="TicketEventWorker"/>. The order of the checks is deliberate: what needs no
/// storage comes first (the id's shape, the size, the headers, the timestamp), so an unsigned flood costs no read;
/// an unknown integration (404) is answered only to a request that is fresh and carries a well-formed signature,
/// which is no cheaper to send than a forgery attempt, and integration ids are 128-bit random; then the signature
/// (401), and only a correctly signed body is parsed (400) and looked up (404 for a ticket that is not ours). Every
/// refusal says no more than its status, enqueues nothing, and is counted by reason.
/// </summary>
public sealed partial class TicketEventReceiver
{
    /// <summary>An event is a few hundred bytes; anything near this is not one.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    private static readonly JsonSerializerOptions EventJson = new()
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        MaxDepth = 4,
    };

    private readonly IIntegrationStore _integrations;
    private readonly IAssignmentStore _assignments;
    private readonly WebhookSecrets _secrets;
    private readonly PendingTicketEventStore _pending;
    private readonly IWorkQueueSender _queue;
    private readonly DefenderSnowTelemetry _telemetry;
    private readonly IOptions<TicketEventOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<TicketEventReceiver> _logger;

    public TicketEventReceiver(
        IIntegrationStore integrations,
        IAssignmentStore assignments,
        WebhookSecrets secrets,
        PendingTicketEventStore pending,
        IWorkQueueSender queue,
        DefenderSnowTelemetry telemetry,
        IOptions<TicketEventOptions> options,
        TimeProvider timeProvider,
        ILogger<TicketEventReceiver> logger)
    {
        _integrations = integrations;
        _assignments = assignments;
        _secrets = secrets;
        _pending = pending;
        _queue = queue;
        _telemetry = telemetry;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Checks one event and queues its ticket (once per burst).</summary>
    /// <param name="integrationId">The route's id.</param>
    /// <param name="timestampHeader">The value of <see cref="TicketEventSignature.TimestampHeader"/>, if exactly one was sent.</param>
    /// <param name="signatureHeader">The value of <see cref="TicketEventSignature.SignatureHeader"/>, if exactly one was sent.</param>
    /// <param name="body">The raw body, read here up to <see cref="MaxBodyBytes"/>.</param>
    /// <param name="declaredLength">Content-Length, if any; only a larger one is believed.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    /// <returns>True when this event queued its ticket; false when an event of the same burst already had.</returns>
    /// <exception cref="AuthenticationRequiredException">Missing or bad signature, or a stale timestamp.</exception>
    /// <exception cref="NotFoundException">Unknown integration, or a ticket that is not ours.</exception>
    /// <exception cref="RequestTooLargeException">The body is larger than <see cref="MaxBodyBytes"/>.</exception>
    /// <exception cref="ValidationException">A correctly signed body that is not a ticket event.</exception>
    public async Task<bool> ReceiveAsync(string integrationId, string? timestampHeader, string? signatureHeader, Stream body, long? declaredLength, CancellationToken cancellationToken)
    {
        if (!IsIntegrationId(integrationId))
        {
            // Cannot exist, so "not found" says nothing about which ids do.
            throw Refuse(TicketEventRefusal.UnknownIntegration, integrationId);
        }

        byte[] raw;
        try
        {
            raw = await BoundedBody.ReadAsync(body, declaredLength, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestTooLargeException)
        {
            Refused(TicketEventRefusal.TooLarge, integrationId);
            throw;
        }

        if (!TicketEventSignature.TryParseTimestamp(timestampHeader, out var timestamp) || !TicketEventSignature.TryDecode(signatureHeader, out var mac))
        {
            throw Refuse(TicketEventRefusal.MissingSignature, integrationId);
        }

        var skew = _timeProvider.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Min(timestamp, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        if (skew.Duration() > TicketEventSignature.MaxClockSkew)
        {
            throw Refuse(TicketEventRefusal.StaleTimestamp, integrationId);
        }

        var integration = await _integrations.GetAsync(integrationId, cancellationToken).ConfigureAwait(false);
        if (integration is null || integration.Value.DeletionStartedAt is not null || integration.Value.WebhookSecretRotatedAt is null)
        {
            throw Refuse(TicketEventRefusal.UnknownIntegration, integrationId);
        }

        var accepted = await _secrets.AcceptedAsync(integration.Value, cancellationToken).ConfigureAwait(false);
        var matched = false;
        foreach (var secret in accepted)
        {
            // Every accepted secret is tried, so the time taken does not say which one matched.
            matched |= TicketEventSignature.Matches(secret, timestamp, raw, mac);
        }

        if (!matched)
        {
            throw Refuse(TicketEventRefusal.BadSignature, integrationId);
        }

        var ticketEvent = Parse(raw, integrationId);
        var assignment = await _assignments.GetAsync(integrationId, ticketEvent.CorrelationId!, cancellationToken).ConfigureAwait(false);
        if (assignment is null || assignment.Value.Status == AssignmentStatus.Closed
            || assignment.Value.Ticket.Table != ticketEvent.Table || assignment.Value.Ticket.SysId != ticketEvent.SysId)
        {
            Refused(TicketEventRefusal.NotOurs, integrationId);
            throw new NotFoundException("Ticket", ticketEvent.SysId!);
        }

        var message = new TicketEventMessage(integrationId, ticketEvent.Table!, ticketEvent.SysId!, ticketEvent.CorrelationId!);
        var delay = _options.Value.CollapseDelay;
        var marker = await _pending.TryMarkAsync(integrationId, message.Table, message.SysId, _timeProvider.GetUtcNow(), StaleAfter(delay), cancellationToken).ConfigureAwait(false);
        if (marker is null)
        {
            _telemetry.TicketEventAccepted(collapsed: true);
            LogCollapsed(integrationId, message.Table, message.SysId);
            return false;
        }

        try
        {
            await _queue.SendAsync(WorkQueue.TicketEvents, message, cancellationToken, delay > TimeSpan.Zero ? delay : null).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Without its message the marker would swallow the following events: take it back, the sender retries.
            await _pending.UnmarkAsync(integrationId, marker, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        _telemetry.TicketEventAccepted(collapsed: false);
        LogQueued(integrationId, message.Table, message.SysId, ticketEvent.ChangedFields);
        return true;
    }

    /// <summary>Integration ids are 32 lower-case hexadecimal digits (a GUID without hyphens).</summary>
    internal static bool IsIntegrationId(string? id) =>
        id is { Length: 32 } && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>A marker older than this has lost its message (it would have been handled long ago).</summary>
    private static TimeSpan StaleAfter(TimeSpan delay) => delay + TimeSpan.FromMinutes(10);

    private TicketEvent Parse(byte[] raw, string integrationId)
    {
        TicketEvent? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<TicketEvent>(raw, EventJson);
        }
        catch (JsonException)
        {
            Refused(TicketEventRefusal.Malformed, integrationId);
            throw new ValidationException("body", "The body is not a ticket event: a JSON object with table, sys_id and correlation_id.");
        }

        string? field = parsed switch
        {
            null => "body",
            { Table: var t } when !ServiceNowTicketTables.All.Any(x => x.Name == t) => "table",
            { SysId: var s } when !IsSysId(s) => "sys_id",
            { CorrelationId: var c } when !AssignmentId.IsWellFormed(c) => "correlation_id",
            { ChangedFields: { } f } when f.Count > 200 || f.Any(n => n is null || n.Length > 80) => "changed_fields",
            _ => null,
        };
        if (field is not null)
        {
            Refused(TicketEventRefusal.Malformed, integrationId);
            throw new ValidationException(field, field switch
            {
                "table" => "table must be incident, problem or change_request.",
                "sys_id" => "sys_id must be 32 hexadecimal digits.",
                "correlation_id" => "correlation_id must be the ticket's correlation id (32 hexadecimal digits).",
                "changed_fields" => "changed_fields must be at most 200 field names.",
                _ => "A JSON object is required.",
            });
        }

        return parsed!;
    }

    private static bool IsSysId(string? value) => value is { Length: 32 } && value.All(char.IsAsciiHexDigit);

    private DomainException Refuse(TicketEventRefusal reason, string integrationId)
    {
        Refused(reason, integrationId);
        return reason == TicketEventRefusal.UnknownIntegration
            ? new NotFoundException("Integration", IsIntegrationId(integrationId) ? integrationId : "(malformed)")
            : new AuthenticationRequiredException("The ticket event is not authenticated.");
    }

    private void Refused(TicketEventRefusal reason, string integrationId)
    {
        _telemetry.TicketEventRefused(reason);
        // The route value is anonymous input: only an id of the right shape is written to the log.
        LogRefused(reason, IsIntegrationId(integrationId) ? integrationId : "(malformed)");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ticket event for integration {IntegrationId} queued {Table} {SysId} (changed: {ChangedFields})")]
    private partial void LogQueued(string integrationId, string table, string sysId, IReadOnlyList<string>? changedFields);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ticket event for integration {IntegrationId} joined the pending read of {Table} {SysId}")]
    private partial void LogCollapsed(string integrationId, string table, string sysId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ticket event refused ({Reason}) for integration {IntegrationId}")]
    private partial void LogRefused(TicketEventRefusal reason, string integrationId);
}
