using DefenderSnow.Core.Errors;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Functions.Http;

/// <summary>Query-string values of list endpoints, and the <c>nextLink</c> that continues a list.</summary>
public static class QueryParameters
{
    public static string? Value(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    public static int? WholeNumber(HttpRequest request, string name)
    {
        var value = Value(request, name);
        if (value is null)
        {
            return null;
        }

        return int.TryParse(value, out var number) ? number : throw new ValidationException(name, "Must be a whole number.");
    }

    /// <summary>The same request with the next page's continuation token.</summary>
    public static string NextLink(HttpRequest request, string continuationToken)
    {
        var query = request.Query
            // The function key ("code") is a credential: a link in a body must not carry it.
            .Where(q => q.Key is not "continuationToken" and not "code")
            .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
            .Append($"continuationToken={Uri.EscapeDataString(continuationToken)}");
        return $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?{string.Join('&', query)}";
    }
}
