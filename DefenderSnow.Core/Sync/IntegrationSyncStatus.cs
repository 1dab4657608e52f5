namespace DefenderSnow.Core.Sync;

/// <summary>How one integration fared in one run.</summary>
public enum IntegrationSyncStatus
{
    /// <summary>Its message is on the queue.</summary>
    Pending,
    Running,
    Succeeded,
    /// <summary>Kept failing: its message reached the poison queue.</summary>
    Failed,
    /// <summary>ServiceNow refused the stored credentials (the password too); its assignments were left untouched.</summary>
    CredentialsRejected,
    /// <summary>ServiceNow could not be reached, or kept failing.</summary>
    Unreachable,
    /// <summary>Not synced by this run; <see cref="IntegrationSyncResult.Note"/> says why (another run held it, or it was deleted).</summary>
    Skipped,
}
