using System.Text.RegularExpressions;

namespace DefenderSnow.Simulators.KeyVault;

/// <summary>The limits Key Vault enforces on what it is asked to store, as documented.</summary>
internal static partial class KeyVaultRules
{
    public const string Audience = "https://vault.azure.net";
    /// <summary>
    /// "Maximum size of a secret: 25k bytes" (https://learn.microsoft.com/azure/key-vault/general/service-limits):
    /// counted in UTF-8 bytes of the value, so 25,600 ASCII characters fit but 12,801 two-byte ones do not.
    /// </summary>
    public const int MaxValueBytes = 25_600;
    public const int MaxContentTypeLength = 255;
    public const int MaxTags = 15;
    public const int MaxTagNameLength = 512;
    public const int MaxTagValueLength = 256;
    public const int MaxPageSize = 25;

    /// <summary>The api-versions Key Vault serves for secrets: the 7.x line and the dated versions that followed it.</summary>
    public static readonly IReadOnlySet<string> ApiVersions = new HashSet<string>(StringComparer.Ordinal)
    {
        "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", "2026-04-01",
    };

    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    public static bool IsValidVersion(string version) => VersionPattern().IsMatch(version);

    [GeneratedRegex("^[0-9a-zA-Z-]{1,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9a-fA-F]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
