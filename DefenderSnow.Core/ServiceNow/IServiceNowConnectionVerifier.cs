namespace DefenderSnow.Core.ServiceNow;

/// <summary>Checks credentials before anything is stored.</summary>
public interface IServiceNowConnectionVerifier
{
    /// <summary>
    /// Obtains tokens with the password grant, reads the user's own <c>sys_user</c> record (for its time zone) and one
    /// record of <c>incident</c>, <c>problem</c> and <c>change_request</c>, then proves the account may create tickets in
    /// each of them without leaving one behind (<see cref="ServiceNowCreateAccessProbe"/>).
    /// </summary>
    /// <exception cref="ServiceNowRejectedException">ServiceNow refused the credentials, a table read or ticket creation; the message says which.</exception>
    /// <exception cref="ServiceNowUnreachableException">The instance could not be reached, failed TLS, timed out or kept failing.</exception>
    Task<ServiceNowVerifiedConnection> VerifyAsync(ServiceNowCredentials credentials, CancellationToken cancellationToken);
}
