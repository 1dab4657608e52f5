namespace DefenderSnow.Core.Secrets;

/// <summary>
/// Names each integration's secrets <c>snow-{integrationId}-{kind}</c>. Integration ids are GUIDs and
/// never reused, so a name never collides with a soft-deleted secret of another integration.
/// </summary>
public static class KeyVaultSecretName
{
    /// <summary>Key Vault's limit on secret names (1 to 127 of <c>0-9a-zA-Z-</c>).</summary>
    public const int MaxLength = 127;

    /// <summary>The secret name for <paramref name="secret"/> of <paramref name="integrationId"/>.</summary>
    /// <exception cref="ArgumentException">The id is not 32 hexadecimal digits, or the name breaks Key Vault's rules.</exception>
    public static string For(string integrationId, IntegrationSecret secret)
    {
        ArgumentNullException.ThrowIfNull(integrationId);
        if (integrationId.Length != 32 || !integrationId.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException("An integration id is 32 hexadecimal digits.", nameof(integrationId));
        }

        // Key Vault names are case-insensitive: lower-casing keeps one id to one name.
        var name = $"snow-{integrationId.ToLowerInvariant()}-{Kind(secret)}";
        if (!IsValid(name))
        {
            throw new ArgumentException($"'{name}' is not a valid Key Vault secret name.", nameof(integrationId));
        }

        return name;
    }

    /// <summary>The kind as it appears in names and in the <c>kind</c> tag, for example <c>client-secret</c>.</summary>
    public static string Kind(IntegrationSecret secret) => secret switch
    {
        IntegrationSecret.Password => "password",
        IntegrationSecret.ClientSecret => "client-secret",
        IntegrationSecret.RefreshToken => "refresh-token",
        IntegrationSecret.WebhookSecret => "webhook-secret",
        IntegrationSecret.PreviousWebhookSecret => "previous-webhook-secret",
        IntegrationSecret.InstanceBinding => "instance-binding",
        _ => throw new ArgumentOutOfRangeException(nameof(secret), secret, "Unknown kind of integration secret."),
    };

    /// <summary>Whether <paramref name="name"/> satisfies Key Vault's secret name rules.</summary>
    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxLength } && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
