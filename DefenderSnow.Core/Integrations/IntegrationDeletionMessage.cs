namespace DefenderSnow.Core.Integrations;

/// <summary>The <c>integration-deletions</c> message: go on removing what is left of a deleted integration.</summary>
public sealed record IntegrationDeletionMessage(string IntegrationId);
