namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// Access tokens per integration, cached in memory and renewed ahead of expiry. Renewal uses the refresh token
/// from the secret store, writes a rotated one back, and falls back to the stored password when ServiceNow
/// refuses the refresh token. Concurrent callers of one integration share one renewal.
/// </summary>
public interface IServiceNowTokenProvider
{
    Task<string> GetAccessTokenAsync(ServiceNowConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// ServiceNow refused <paramref name="rejectedAccessToken"/>: renew, unless another caller already has
    /// (then its token is returned).
    /// </summary>
    Task<string> RenewAccessTokenAsync(ServiceNowConnection connection, string rejectedAccessToken, CancellationToken cancellationToken);

    /// <summary>Drops the cached tokens of an integration (its credentials changed, or it was deleted).</summary>
    void Forget(string integrationId);
}
