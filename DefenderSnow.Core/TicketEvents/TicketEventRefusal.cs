namespace DefenderSnow.Core.TicketEvents;

/// <summary>Why a ticket event was refused: the <c>reason</c> dimension of <c>defendersnow.ticket_events.refused</c>.</summary>
public enum TicketEventRefusal
{
    /// <summary>No signature or timestamp header, or one that is not well-formed.</summary>
    MissingSignature,
    /// <summary>The timestamp is more than five minutes from our clock (a replay, or a clock that is far off).</summary>
    StaleTimestamp,
    /// <summary>The signature matches no accepted webhook secret of the integration.</summary>
    BadSignature,
    /// <summary>No such integration, one being deleted, or one without ticket events enabled.</summary>
    UnknownIntegration,
    /// <summary>The ticket has no live assignment of the integration.</summary>
    NotOurs,
    TooLarge,
    /// <summary>A correctly signed body that is not a ticket event.</summary>
    Malformed,
}
