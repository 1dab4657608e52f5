using System.Runtime.CompilerServices;
using DefenderSnow.Core.Defender;

namespace DefenderSnow.Core.Findings;

/// <summary>
/// <see cref="IFindingReader"/> over the Resource Manager list of a subscription's assessments. That list carries no
/// severity (the list takes no <c>$expand</c> in 2021-06-01 nor 2025-05-04), so severities come from the subscription's metadata
/// list, built-in and custom recommendations alike (<see cref="AssessmentSeverityCatalog"/>,
/// read about once an hour): one paged read per subscription, whatever the number of resources.
/// </summary>
internal sealed class FindingReader : IFindingReader
{
    private readonly IDefenderClient _defender;
    private readonly AssessmentSeverityCatalog _severities;

    public FindingReader(IDefenderClient defender, AssessmentSeverityCatalog severities)
    {
        _defender = defender;
        _severities = severities;
    }

    public async IAsyncEnumerable<Finding> ReadSubscriptionAsync(string subscriptionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var severities = await _severities.GetAsync(_defender, subscriptionId, cancellationToken).ConfigureAwait(false);

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
                severities.GetValueOrDefault(assessment.Name),
                assessment.Risk,
                assessment.Status.Cause);
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
