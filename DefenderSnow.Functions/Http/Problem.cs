using DefenderSnow.Core.Errors;

namespace DefenderSnow.Functions.Http;

/// <summary>RFC 7807 problem details, the body of every error response.</summary>
public sealed record Problem(
    string Type,
    string Title,
    int Status,
    string? Detail,
    IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public const string ContentType = "application/problem+json; charset=utf-8";

    /// <summary>
    /// The one mapping from Core's error kinds to HTTP statuses, one arm per kind and no status made up for a
    /// kind it does not know (<c>ProblemMappingTests</c> holds every kind and every Core error type to it).
    /// </summary>
    public static int StatusFor(DomainErrorKind kind) => kind switch
    {
        DomainErrorKind.Validation => 400,
        DomainErrorKind.Unauthenticated => 401,
        DomainErrorKind.Forbidden => 403,
        DomainErrorKind.NotFound => 404,
        DomainErrorKind.Conflict => 409,
        DomainErrorKind.TooLarge => 413,
        DomainErrorKind.Rejected => 422,
        DomainErrorKind.Unreachable => 502,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "A domain error kind without an HTTP status."),
    };

    public static JsonResponse From(DomainException error)
    {
        var status = StatusFor(error.Kind);
        var problem = new Problem(
            Type: $"https://httpstatuses.io/{status}",
            Title: error.Title,
            Status: status,
            Detail: error.Message,
            Errors: error switch
            {
                ValidationException validation => validation.Errors,
                UnprocessableException unprocessable => unprocessable.Errors,
                RequestTooLargeException => new Dictionary<string, string[]> { ["body"] = [error.Message] },
                _ => null,
            });
        return new JsonResponse(status, problem, ContentType);
    }

    /// <summary>For failures we did not foresee: nothing internal leaks, the log has the rest.</summary>
    public static JsonResponse Unexpected() =>
        new(500, new Problem("https://httpstatuses.io/500", "Internal error", 500, "An unexpected error occurred; the log has the details."), ContentType);
}
