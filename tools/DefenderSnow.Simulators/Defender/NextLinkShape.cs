namespace DefenderSnow.Simulators.Defender;

/// <summary>
/// The shape of the <c>nextLink</c>s the simulator writes, chosen per test (<see cref="ResourceManagerState.NextLinkShape"/>)
/// or per local run (<c>PUT /_sim/arm/nextLinkShape</c>). Resource Manager's contract makes a collection's
/// <c>nextLink</c> the URL of its next page and nothing more
/// (https://github.com/Azure/azure-resource-manager-rpc/blob/master/v1.0/resource-api-reference.md#get-resource; AutoRest's
/// <c>x-ms-pageable</c>, https://github.com/Azure/autorest/blob/main/docs/extensions/readme.md#x-ms-pageable, GETs it as
/// given), so providers differ in what they put in it. A client that calls the link as given passes every shape; one
/// that takes it apart fails some.
/// </summary>
public enum NextLinkShape
{
    /// <summary><c>{path}?api-version=…&amp;$skiptoken=…</c>: the continuation token the Microsoft.Security and management group specifications name <c>$skiptoken</c>.</summary>
    SkipToken,

    /// <summary>The same with the parameter spelt <c>$skipToken</c>, as other providers spell it (query names compare without case in Resource Manager).</summary>
    SkipTokenCamelCase,

    /// <summary>
    /// The token first, then <c>api-version</c>, then a parameter of the provider's own (<c>sim-page</c>, standing for the
    /// filters, sizes or session state real providers carry). A continuation request without it, or with another value, is
    /// refused 400 <c>InvalidSkipToken</c>, as a provider refuses a token that lost its context.
    /// </summary>
    ExtraParameters,

    /// <summary>
    /// After every page with items comes an empty page that still carries a <c>nextLink</c>, as Microsoft.Security listings
    /// are known to answer (https://github.com/Azure/azure-sdk-for-js/issues/17907); only the page after it has the next items.
    /// </summary>
    EmptyPageWithLink,

    /// <summary>Every page links back to the page just served: a listing that never ends unless the client notices the repeat.</summary>
    Repeating,
}
