using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Core.TicketEvents;

/// <summary>
/// Takes a ticket event from ServiceNow (anonymous at the Functions level: the signature is its authentication) and
/// queues its ticket for <see cref="TicketEventWorker"/>, once per burst. <see cref="TicketEventVerifier"/> decides
/// whether the request may be queued at all; a refused one enqueues nothing.
/// </summary>
public sealed partial class TicketEventReceiver
{
    /// <summary>An event is a few hundred bytes; anything near this is not one.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    private readonly TicketEventVerifier _verifier;
    private readonly PendingTicketEventStore _pending;
    private readonly IWorkQueueSender _queue;
    private readonly DefenderSnowTelemetry _telemetry;
    private readonly IOptions<TicketEventOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<TicketEventReceiver> _logger;

    public TicketEventReceiver(
        TicketEventVerifier verifier,
        PendingTicketEventStore pending,
        IWorkQueueSender queue,
        DefenderSnowTelemetry telemetry,
        IOptions<TicketEventOptions> options,
        TimeProvider timeProvider,
        ILogger<TicketEventReceiver> logger)
    {
        _verifier = verifier;
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
        var ticketEvent = await _verifier.VerifyAsync(integrationId, timestampHeader, signatureHeader, body, declaredLength, cancellationToken).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Ticket event for integration {IntegrationId} queued {Table} {SysId} (changed: {ChangedFields})")]
    private partial void LogQueued(string integrationId, string table, string sysId, IReadOnlyList<string>? changedFields);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ticket event for integration {IntegrationId} joined the pending read of {Table} {SysId}")]
    private partial void LogCollapsed(string integrationId, string table, string sysId);
}
