namespace DefenderSnow.Core.Integrations;

/// <summary>Set by credential verification and by synchronization.</summary>
public enum IntegrationStatus
{
    Connected,
    CredentialsRejected,
    Unreachable,
    /// <summary>A delete goes on in the background; the status detail says how many assignments remain.</summary>
    Deleting,
}
