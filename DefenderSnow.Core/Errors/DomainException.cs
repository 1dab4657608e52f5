namespace DefenderSnow.Core.Errors;

/// <summary>
/// What went wrong, in terms a caller can act on. The Functions project maps each kind to one HTTP
/// status in one place; Core never thinks in status codes.
/// </summary>
public enum DomainErrorKind
{
    /// <summary>The request itself is wrong; <see cref="ValidationException.Errors"/> names the fields.</summary>
    Validation,
    NotFound,
    Conflict,
    /// <summary>An external system understood the request and refused it (bad credentials, missing role, data policy).</summary>
    Rejected,
    /// <summary>An external system could not be reached or did not answer usefully.</summary>
    Unreachable,
    /// <summary>The request body is larger than the endpoint accepts.</summary>
    TooLarge,
    /// <summary>The caller is not authenticated (no usable principal).</summary>
    Unauthenticated,
    /// <summary>The caller is authenticated but lacks the app role the operation needs.</summary>
    Forbidden,
}

/// <summary>
/// Base of every error Core raises on purpose. Messages are written for the caller and must never
/// contain a secret.
/// </summary>
public abstract class DomainException : Exception
{
    protected DomainException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public abstract DomainErrorKind Kind { get; }

    /// <summary>
    /// A short, stable title for problem details (for example "Integration not found"). Abstract, so every
    /// error type says its own: a new type cannot reach a caller under a generic "Error".
    /// </summary>
    public abstract string Title { get; }
}
