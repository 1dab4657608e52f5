namespace DefenderSnow.Core.Errors;

/// <summary>
/// A stored entity changed between read and write (its ETag no longer matches). Raised by the stores
/// so that no writer silently overwrites another.
/// </summary>
public sealed class ConcurrencyException : DomainException
{
    public ConcurrencyException(string entity, string id, Exception? innerException = null)
        : base($"{entity} '{id}' was changed by someone else; read it again and retry.", innerException)
    {
    }

    public override DomainErrorKind Kind => DomainErrorKind.Conflict;

    public override string Title => "Conflict";
}
