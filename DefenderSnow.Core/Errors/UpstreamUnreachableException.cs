namespace DefenderSnow.Core.Errors;

/// <summary>An external system could not be reached, timed out, or kept failing after retries.</summary>
public class UpstreamUnreachableException : DomainException
{
    public UpstreamUnreachableException(string system, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        System = system;
    }

    public string System { get; }

    public override DomainErrorKind Kind => DomainErrorKind.Unreachable;

    public override string Title => $"{System} is unreachable";
}
