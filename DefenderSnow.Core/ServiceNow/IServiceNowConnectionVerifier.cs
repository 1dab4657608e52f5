namespace DefenderSnow.Core.ServiceNow;

/// <summary>Checks credentials before anything is stored.</summary>
public interface IServiceNowConnectionVerifier
{
    /// <summary>
    /// Obtains tokens with the password grant, then reads one record of <c>sys_user</c>, <c>incident</c>,
    /// <c>problem</c> and <c>change_request</c>.
    /// </summary>
    /// <exception cref="ServiceNowRejectedException">ServiceNow refused the credentials or a table read; the message says which.</exception>
    /// <exception cref="ServiceNowUnreachableException">The instance could not be reached, failed TLS, timed out or kept failing.</exception>
    Task<ServiceNowVerifiedConnection> VerifyAsync(ServiceNowCredentials credentials, CancellationToken cancellationToken);
}
