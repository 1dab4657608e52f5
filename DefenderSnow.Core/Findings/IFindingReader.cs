namespace DefenderSnow.Core.Findings;

/// <summary>Reads Defender's findings in bulk.</summary>
public interface IFindingReader
{
    /// <summary>Every assessment in one subscription, read in bulk (paged Resource Manager list), never per resource.</summary>
    /// <remarks>
    /// Takes the subscription's GUID. A failure on any page (a refusal, throttling, an outage) is thrown from the
    /// enumeration, after the findings of earlier pages were yielded: a caller that concludes anything from what is
    /// missing must read to the end first.
    /// </remarks>
    IAsyncEnumerable<Finding> ReadSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken);
}
