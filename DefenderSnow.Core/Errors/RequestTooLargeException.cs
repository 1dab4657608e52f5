namespace DefenderSnow.Core.Errors;

public sealed class RequestTooLargeException : DomainException
{
    public RequestTooLargeException(long limitBytes)
        : base($"The request body is larger than {limitBytes / 1024} KB.")
    {
        LimitBytes = limitBytes;
    }

    public long LimitBytes { get; }

    public override DomainErrorKind Kind => DomainErrorKind.TooLarge;

    public override string Title => "The request body is too large";
}
