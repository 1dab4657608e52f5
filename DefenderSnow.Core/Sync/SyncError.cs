namespace DefenderSnow.Core.Sync;

/// <summary>One thing a run could not do, naming the integration and, when it was about one, the ticket.</summary>
public sealed record SyncError(string IntegrationId, string? Ticket, string Message);
