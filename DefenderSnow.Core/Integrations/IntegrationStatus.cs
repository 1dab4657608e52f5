namespace DefenderSnow.Core.Integrations;

/// <summary>Set by credential verification and by synchronization.</summary>
public enum IntegrationStatus
{
    Connected,
    CredentialsRejected,
    Unreachable,
}
