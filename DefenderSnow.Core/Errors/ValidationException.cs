namespace DefenderSnow.Core.Errors;

/// <summary>The request is invalid; <see cref="Errors"/> maps each field path (camelCase, dotted) to its messages.</summary>
public sealed class ValidationException : DomainException
{
    public ValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    public ValidationException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; }

    public override DomainErrorKind Kind => DomainErrorKind.Validation;

    public override string Title => "The request is invalid";

    private static string Describe(IReadOnlyDictionary<string, string[]> errors) =>
        "Invalid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
}
