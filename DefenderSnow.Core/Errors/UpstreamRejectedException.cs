namespace DefenderSnow.Core.Errors;

/// <summary>
/// An external system (ServiceNow, Resource Manager, Key Vault) understood the request and refused it.
/// <see cref="Exception.Message"/> carries the system's own reason, which is safe to show. Abstract: each system raises
/// its own type (<c>ServiceNowRejectedException</c>, <c>ResourceManagerException</c>, <c>KeyVaultRejectedException</c>).
/// </summary>
public abstract class UpstreamRejectedException : DomainException
{
    protected UpstreamRejectedException(string system, string message, int? statusCode = null, string? code = null, Exception? innerException = null)
        : base(message, innerException)
    {
        System = system;
        StatusCode = statusCode;
        Code = code;
    }

    /// <summary>"ServiceNow", "Resource Manager" or "Key Vault".</summary>
    public string System { get; }

    /// <summary>The HTTP status the system answered with, when there was one.</summary>
    public int? StatusCode { get; }

    /// <summary>The system's error code, when it gives one (Resource Manager's <c>error.code</c>).</summary>
    public string? Code { get; }

    public override DomainErrorKind Kind => DomainErrorKind.Rejected;

    public override string Title => $"Rejected by {System}";
}
