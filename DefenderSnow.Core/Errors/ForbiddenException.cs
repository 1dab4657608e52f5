namespace DefenderSnow.Core.Errors;

/// <summary>The caller is known but holds none of the app roles the operation accepts.</summary>
public sealed class ForbiddenException : DomainException
{
    public ForbiddenException(string requiredRole, string message)
        : base(message)
    {
        RequiredRole = requiredRole;
    }

    /// <summary>The app role that would grant the operation.</summary>
    public string RequiredRole { get; }

    public override DomainErrorKind Kind => DomainErrorKind.Forbidden;

    public override string Title => "Forbidden";
}
