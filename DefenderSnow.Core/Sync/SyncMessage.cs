namespace DefenderSnow.Core.Sync;

/// <summary>The <c>sync-integrations</c> message: sync one integration for one run.</summary>
public sealed record SyncMessage(string RunId, string IntegrationId, bool Full);
