namespace DefenderSnow.Core.Errors;

/// <summary>The request collides with the current state (a duplicate name, a concurrent update).</summary>
public sealed class ConflictException : DomainException
{
    public ConflictException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public override DomainErrorKind Kind => DomainErrorKind.Conflict;

    public override string Title => "Conflict";
}
