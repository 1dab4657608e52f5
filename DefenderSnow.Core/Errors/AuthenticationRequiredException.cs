namespace DefenderSnow.Core.Errors;

/// <summary>No trustworthy caller: the principal is missing or cannot be read. Says nothing about why in detail.</summary>
public sealed class AuthenticationRequiredException : DomainException
{
    public AuthenticationRequiredException(string message)
        : base(message)
    {
    }

    public override DomainErrorKind Kind => DomainErrorKind.Unauthenticated;

    public override string Title => "Authentication required";
}
