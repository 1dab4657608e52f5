namespace DefenderSnow.Core.Integrations;

/// <summary>The <c>integration-deletions</c> message: go on removing what is left of a deleted integration.</summary>
/// <param name="IntegrationId">The integration being deleted.</param>
/// <param name="Remaining">About how many live assignments were left when the message was sent (for the status detail).</param>
public sealed record IntegrationDeletionMessage(string IntegrationId, int Remaining);
