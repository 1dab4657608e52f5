using System.Runtime.CompilerServices;
using DefenderSnow.Core.Defender;

namespace DefenderSnow.Core.Findings;

/// <summary>
/// <see cref="IFindingReader"/> over the Resource Manager list of a subscription's assessments. That list carries no
/// severity (the 2021-06-01 list takes no <c>$expand</c>), so severities come from the tenant-wide metadata list,
/// read once per subscription read: two paged reads per subscription, whatever the number of resources.
/// </summary>
internal sealed class FindingReader : IFindingReader
{
    private readonly IDefenderClient _defender;

    public FindingReader(IDefenderClient defender) => _defender = defender;

    public async IAsyncEnumerable<Finding> ReadSubscriptionAsync(string subscriptionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var metadata = await _defender.ListAssessmentMetadataAsync(cancellationToken).ConfigureAwait(false);
        var severities = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in metadata)
        {
            severities[item.Name] = item.Severity?.ToString();
        }

        await foreach (var assessment in _defender.ListSubscriptionAssessmentsAsync(subscriptionId, cancellationToken).ConfigureAwait(false))
        {
            ResourceIdRules.TryGetSubscriptionId(assessment.ResourceId, out var subscription);
            yield return new Finding(
                subscription.Length > 0 ? subscription : subscriptionId.ToLowerInvariant(),
                assessment.ResourceId,
                ResourceTypes.Of(assessment.ResourceId),
                assessment.Name,
                assessment.DisplayName,
                ToStatus(assessment.Status.Code),
                severities.GetValueOrDefault(assessment.Name));
        }
    }

    private static FindingStatus ToStatus(AssessmentStatusCode code) => code switch
    {
        AssessmentStatusCode.Healthy => FindingStatus.Healthy,
        AssessmentStatusCode.Unhealthy => FindingStatus.Unhealthy,
        AssessmentStatusCode.NotApplicable => FindingStatus.NotApplicable,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "An assessment status DefenderSnow does not know."),
    };
}
