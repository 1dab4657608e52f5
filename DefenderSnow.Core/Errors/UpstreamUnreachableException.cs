namespace DefenderSnow.Core.Errors;

/// <summary>
/// An external system could not be reached, timed out, or kept failing after retries. Abstract: each system raises its
/// own type (<c>ServiceNowUnreachableException</c>, <c>ResourceManagerUnreachableException</c>,
/// <c>KeyVaultUnreachableException</c>), so the system is named by the type as well as by <see cref="System"/>.
/// </summary>
public abstract class UpstreamUnreachableException : DomainException
{
    protected UpstreamUnreachableException(string system, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        System = system;
    }

    public string System { get; }

    public override DomainErrorKind Kind => DomainErrorKind.Unreachable;

    public override string Title => $"{System} is unreachable";
}
