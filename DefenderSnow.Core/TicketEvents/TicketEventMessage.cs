namespace DefenderSnow.Core.TicketEvents;

/// <summary>The <c>ticket-events</c> message: read this ticket and apply it to its assignment. Handling it twice does no harm.</summary>
public sealed record TicketEventMessage(string IntegrationId, string Table, string SysId, string AssignmentId);
