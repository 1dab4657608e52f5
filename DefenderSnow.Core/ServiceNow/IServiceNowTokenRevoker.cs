namespace DefenderSnow.Core.ServiceNow;

/// <summary>Revokes an OAuth token at a ServiceNow instance (<c>/oauth_revoke_token.do</c>).</summary>
public interface IServiceNowTokenRevoker
{
    /// <summary>True when the instance answered 2xx; a refusal or an unreachable instance is logged and answered false, never thrown.</summary>
    Task<bool> RevokeAsync(Uri instanceUrl, string token, CancellationToken cancellationToken);
}
