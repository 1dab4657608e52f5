namespace DefenderSnow.Simulators.KeyVault;

/// <summary>One stored version of a secret. Times are Unix seconds, as Key Vault reports them.</summary>
internal sealed record SecretVersion(
    string Version,
    string Value,
    string? ContentType,
    IReadOnlyDictionary<string, string>? Tags,
    bool Enabled,
    long? NotBefore,
    long? Expires,
    long Created,
    long Updated);

/// <summary>A secret: its name as first written, and its versions, oldest first.</summary>
internal sealed record StoredSecret(string Name, IReadOnlyList<SecretVersion> Versions)
{
    public SecretVersion Latest => Versions[^1];
}

/// <summary>A soft-deleted secret, recoverable until <see cref="ScheduledPurgeDate"/>.</summary>
internal sealed record DeletedSecret(StoredSecret Secret, long DeletedDate, long ScheduledPurgeDate);
