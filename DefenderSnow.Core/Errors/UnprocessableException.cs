namespace DefenderSnow.Core.Errors;

/// <summary>
/// The request is well-formed but what it asks cannot be done as things stand (a resource outside the
/// integration's scope, a recommendation that is not Unhealthy); <see cref="Errors"/> names the fields.
/// </summary>
public sealed class UnprocessableException : DomainException
{
    public UnprocessableException(string field, string message)
        : base($"{field}: {message}")
    {
        Errors = new Dictionary<string, string[]> { [field] = [message] };
    }

    /// <summary>Several fields at once; the message names each.</summary>
    public UnprocessableException(IReadOnlyDictionary<string, string[]> errors)
        : base(string.Join(" ", (errors ?? throw new ArgumentNullException(nameof(errors))).Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))
    {
        Errors = errors;
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; }

    public override DomainErrorKind Kind => DomainErrorKind.Rejected;

    public override string Title => "The request cannot be carried out";
}
