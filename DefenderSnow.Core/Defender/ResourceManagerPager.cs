using System.Runtime.CompilerServices;
using Refit;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// The pages of a Resource Manager collection: the first from the listing's own call, then each <c>nextLink</c> as
/// given (<see cref="ResourceManagerLinks"/>) until a page carries none. The same for every listing.
/// </summary>
internal sealed class ResourceManagerPager
{
    /// <summary>A bound on a listing that never ends, far above any real one (100,000 items at Resource Manager's usual 100 a page).</summary>
    private const int MaxPages = 1000;

    private readonly ResourceManagerResponses _responses;
    private readonly ResourceManagerLinks _links;

    public ResourceManagerPager(ResourceManagerResponses responses, ResourceManagerLinks links)
    {
        _responses = responses;
        _links = links;
    }

    /// <summary>Every item of every page.</summary>
    public async Task<List<T>> ListAllAsync<T>(
        string operation, Func<Task<IApiResponse<ArmCollection<T>>>> firstPage, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        await foreach (var page in PagesAsync(operation, firstPage, cancellationToken).ConfigureAwait(false))
        {
            items.AddRange(page);
        }

        return items;
    }

    /// <summary>
    /// The pages of a collection. Only a page without a <c>nextLink</c> ends it: Microsoft.Security listings are known
    /// to return an empty page that still carries one (https://github.com/Azure/azure-sdk-for-js/issues/17907), and
    /// the items after it are still to come. A link that repeats an earlier one, or more than <see cref="MaxPages"/>
    /// pages, is refused rather than followed for ever.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<T>> PagesAsync<T>(
        string operation,
        Func<Task<IApiResponse<ArmCollection<T>>>> firstPage,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var send = firstPage;
        for (var page = 0; page < MaxPages; page++)
        {
            var collection = await _responses.SendAsync(operation, send, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
            yield return collection!.Value ?? [];
            if (string.IsNullOrEmpty(collection.NextLink))
            {
                yield break;
            }

            var next = _links.OnEndpoint(collection.NextLink, out var refusedOrigin)
                ?? throw _responses.LinkRefused(operation, refusedOrigin);
            if (!seen.Add(next.AbsoluteUri))
            {
                throw _responses.Unusable(operation, "a nextLink that repeats an earlier page");
            }

            send = () => _links.GetAsync<ArmCollection<T>>(next, cancellationToken);
        }

        throw _responses.Unusable(operation, $"more than {MaxPages} pages");
    }
}
