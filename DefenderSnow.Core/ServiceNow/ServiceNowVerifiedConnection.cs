namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// Proof that credentials work: the refresh token ServiceNow issued for them, to be stored in Key Vault.
/// <see cref="ToString"/> never shows the token.
/// </summary>
public sealed record ServiceNowVerifiedConnection(Uri InstanceUrl, string Username, string RefreshToken)
{
    public override string ToString() =>
        $"ServiceNowVerifiedConnection {{ InstanceUrl = {InstanceUrl}, Username = {Username}, RefreshToken = *** }}";
}
