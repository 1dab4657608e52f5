using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.WebUtilities;
using Refit;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// The pages of a Resource Manager collection, following <c>nextLink</c> only back to the configured endpoint:
/// the bearer token is never sent wherever a response happens to point.
/// </summary>
internal sealed class ResourceManagerPager
{
    private const int MaxPages = 1000;
    private readonly ResourceManagerResponses _responses;
    private readonly Uri _endpoint;

    public ResourceManagerPager(ResourceManagerResponses responses, Uri endpoint)
    {
        _responses = responses;
        _endpoint = endpoint;
    }

    /// <summary>Every item of every page.</summary>
    public async Task<List<T>> ListAllAsync<T>(
        string operation, string collectionPath, Func<string?, Task<IApiResponse<ArmCollection<T>>>> sendPage, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        await foreach (var page in PagesAsync(operation, collectionPath, sendPage, cancellationToken).ConfigureAwait(false))
        {
            items.AddRange(page);
        }

        return items;
    }

    /// <summary>The pages of a collection, following <c>nextLink</c> (see <see cref="SkipTokenOf"/>) until there is none.</summary>
    public async IAsyncEnumerable<IReadOnlyList<T>> PagesAsync<T>(
        string operation,
        string collectionPath,
        Func<string?, Task<IApiResponse<ArmCollection<T>>>> sendPage,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? skipToken = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var token = skipToken;
            var collection = await _responses.SendAsync(operation, () => sendPage(token), notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
            yield return collection!.Value ?? [];
            if (string.IsNullOrEmpty(collection.NextLink))
            {
                yield break;
            }

            skipToken = SkipTokenOf(collection.NextLink, collectionPath, operation);
            if (!seen.Add(skipToken))
            {
                throw _responses.Unusable(operation, "a nextLink that repeats an earlier page");
            }
        }

        throw _responses.Unusable(operation, $"more than {MaxPages} pages");
    }

    /// <summary>
    /// Reads the continuation token from a <c>nextLink</c>. The link must lead back to the same collection on
    /// the configured endpoint.
    /// </summary>
    private string SkipTokenOf(string nextLink, string collectionPath, string operation)
    {
        if (!Uri.TryCreate(nextLink, UriKind.Absolute, out var next)
            || next.Scheme != _endpoint.Scheme
            || !next.Authority.Equals(_endpoint.Authority, StringComparison.OrdinalIgnoreCase)
            || !Uri.UnescapeDataString(next.AbsolutePath).TrimEnd('/').Equals(
                _endpoint.AbsolutePath.TrimEnd('/') + collectionPath, StringComparison.OrdinalIgnoreCase))
        {
            throw _responses.Unusable(operation, "a nextLink that does not lead back to the same collection on the configured endpoint");
        }

        var query = QueryHelpers.ParseQuery(next.Query);
        return query.TryGetValue("$skiptoken", out var values) && values.Count == 1 && !string.IsNullOrEmpty(values[0])
            ? values[0]!
            : throw _responses.Unusable(operation, "a nextLink without a $skiptoken");
    }
}
