namespace DefenderSnow.Core.Secrets;

/// <summary>The secrets kept for each integration, one Key Vault secret each.</summary>
public enum IntegrationSecret
{
    /// <summary>The ServiceNow user's password, used for the password grant.</summary>
    Password,
    /// <summary>The ServiceNow OAuth application's client secret.</summary>
    ClientSecret,
    /// <summary>The current ServiceNow refresh token; rewritten when ServiceNow rotates it.</summary>
    RefreshToken,
}
