using System.Text.Json;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.TicketEvents;

/// <summary>
/// Decides whether a ticket event may be queued, for <see cref="TicketEventReceiver"/>. The order of the checks is
/// deliberate: what needs no storage comes first (the id's shape, the size, the headers, the timestamp), so an unsigned
/// flood costs no read; an unknown integration (404) is answered only to a request that is fresh and carries a
/// well-formed signature, which is no cheaper to send than a forgery attempt, and integration ids are 128-bit random;
/// then the signature (401), and only a correctly signed body is parsed (400) and looked up (404 for a ticket that is
/// not ours). Every refusal says no more than its status and is counted by reason.
/// </summary>
public sealed partial class TicketEventVerifier
{
    private static readonly JsonSerializerOptions EventJson = new()
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        MaxDepth = 4,
    };

    private readonly IIntegrationStore _integrations;
    private readonly IAssignmentStore _assignments;
    private readonly WebhookSecrets _secrets;
    private readonly DefenderSnowTelemetry _telemetry;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    // The receiver's log category: refusals are the receiver's answers, and read under its name as before the split.
    public TicketEventVerifier(
        IIntegrationStore integrations,
        IAssignmentStore assignments,
        WebhookSecrets secrets,
        DefenderSnowTelemetry telemetry,
        TimeProvider timeProvider,
        ILogger<TicketEventReceiver> logger)
    {
        _integrations = integrations;
        _assignments = assignments;
        _secrets = secrets;
        _telemetry = telemetry;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The event of a request that passes every check; see <see cref="TicketEventReceiver.ReceiveAsync"/> for the parameters and refusals.</summary>
    public async Task<TicketEvent> VerifyAsync(string integrationId, string? timestampHeader, string? signatureHeader, Stream body, long? declaredLength, CancellationToken cancellationToken)
    {
        if (!TicketEventReceiver.IsIntegrationId(integrationId))
        {
            // Cannot exist, so "not found" says nothing about which ids do.
            throw Refuse(TicketEventRefusal.UnknownIntegration, integrationId);
        }

        byte[] raw;
        try
        {
            raw = await BoundedBody.ReadAsync(body, declaredLength, TicketEventReceiver.MaxBodyBytes, cancellationToken).ConfigureAwait(false);
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
            // The deletion forgot the secrets in the process that ran it; this forgets any copy this process still holds.
            _secrets.Forget(integrationId);
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

        var ticketEvent = Parse(raw, integration.Value);
        var assignment = await _assignments.GetAsync(integrationId, ticketEvent.CorrelationId!, cancellationToken).ConfigureAwait(false);
        if (assignment is null || assignment.Value.Status == AssignmentStatus.Closed
            || assignment.Value.Ticket.Table != ticketEvent.Table || assignment.Value.Ticket.SysId != ticketEvent.SysId)
        {
            Refused(TicketEventRefusal.NotOurs, integrationId);
            throw new NotFoundException("Ticket", ticketEvent.SysId!);
        }

        return ticketEvent;
    }

    private TicketEvent Parse(byte[] raw, Integration integration)
    {
        var integrationId = integration.Id;
        var tables = integration.ToConnection().Catalog;
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
            // One of the integration's ticket tables (its instance's catalog): the business rule runs on those only.
            { Table: var t } when t is not { Length: > 0 and <= 80 } || !tables.TryGet(t, out _) => "table",
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
                "table" => $"table must be one of the integration's ticket tables: {tables.Names}.",
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
            ? new NotFoundException("Integration", TicketEventReceiver.IsIntegrationId(integrationId) ? integrationId : "(malformed)")
            : new AuthenticationRequiredException("The ticket event is not authenticated.");
    }

    private void Refused(TicketEventRefusal reason, string integrationId)
    {
        _telemetry.TicketEventRefused(reason);
        // The route value is anonymous input: only an id of the right shape is written to the log.
        LogRefused(reason, TicketEventReceiver.IsIntegrationId(integrationId) ? integrationId : "(malformed)");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ticket event refused ({Reason}) for integration {IntegrationId}")]
    private partial void LogRefused(TicketEventRefusal reason, string integrationId);
}
