namespace DefenderSnow.Core.Errors;

public sealed class NotFoundException : DomainException
{
    public NotFoundException(string resource, string id)
        : base($"{resource} '{id}' was not found.")
    {
        Resource = resource;
        Id = id;
    }

    public string Resource { get; }

    public string Id { get; }

    public override DomainErrorKind Kind => DomainErrorKind.NotFound;

    public override string Title => $"{Resource} not found";
}
