namespace DefenderSnow.Core.Secrets;

/// <summary>Settings under <c>KeyVault</c>.</summary>
public sealed class KeyVaultOptions
{
    public const string SectionName = "KeyVault";

    /// <summary>The vault, for example <c>https://kv-defendersnow.vault.azure.net/</c>; absolute and https.</summary>
    public Uri? VaultUri { get; set; }
}
