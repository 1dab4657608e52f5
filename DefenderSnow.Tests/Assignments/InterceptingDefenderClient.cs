using DefenderSnow.Core.Defender;

namespace DefenderSnow.Tests.Assignments;

/// <summary>
/// The real Defender client (made by the app's own factory, see <see cref="Factory"/>), except that <see cref="Hook.BeforeNextPut"/> runs once just before the next
/// governance-assignment write: a test makes the process "die" there, or another writer slip in.
/// </summary>
internal sealed class InterceptingDefenderClient(IDefenderClient inner, InterceptingDefenderClient.Hook hook) : IDefenderClient
{
    public async Task<GovernanceAssignmentResource> PutGovernanceAssignmentAsync(
        string resourceId, string assessmentName, string assignmentKey, GovernanceAssignment assignment, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref hook.BeforeNextPut, null) is { } before)
        {
            await before();
        }

        return await inner.PutGovernanceAssignmentAsync(resourceId, assessmentName, assignmentKey, assignment, cancellationToken);
    }

    public Task<GovernanceAssignmentResource?> GetGovernanceAssignmentAsync(string resourceId, string assessmentName, string assignmentKey, CancellationToken cancellationToken) =>
        inner.GetGovernanceAssignmentAsync(resourceId, assessmentName, assignmentKey, cancellationToken);

    public Task DeleteGovernanceAssignmentAsync(string resourceId, string assessmentName, string assignmentKey, CancellationToken cancellationToken) =>
        inner.DeleteGovernanceAssignmentAsync(resourceId, assessmentName, assignmentKey, cancellationToken);

    public Task<IReadOnlyList<GovernanceAssignmentResource>> ListGovernanceAssignmentsAsync(string resourceId, string assessmentName, CancellationToken cancellationToken) =>
        inner.ListGovernanceAssignmentsAsync(resourceId, assessmentName, cancellationToken);

    public Task<Assessment?> GetAssessmentAsync(string resourceId, string assessmentName, CancellationToken cancellationToken) =>
        inner.GetAssessmentAsync(resourceId, assessmentName, cancellationToken);

    public Task<AssessmentMetadata?> GetAssessmentMetadataAsync(string assessmentName, CancellationToken cancellationToken) =>
        inner.GetAssessmentMetadataAsync(assessmentName, cancellationToken);

    public Task<IReadOnlyList<ManagementGroupDescendant>> ListManagementGroupDescendantsAsync(string managementGroupName, CancellationToken cancellationToken) =>
        inner.ListManagementGroupDescendantsAsync(managementGroupName, cancellationToken);

    public Task<IReadOnlyList<SecurityConnector>> ListSecurityConnectorsAsync(string subscriptionId, CancellationToken cancellationToken) =>
        inner.ListSecurityConnectorsAsync(subscriptionId, cancellationToken);

    public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> ListResourceTagsAsync(string subscriptionId, CancellationToken cancellationToken) =>
        inner.ListResourceTagsAsync(subscriptionId, cancellationToken);

    public IAsyncEnumerable<Assessment> ListSubscriptionAssessmentsAsync(string subscriptionId, CancellationToken cancellationToken) =>
        inner.ListSubscriptionAssessmentsAsync(subscriptionId, cancellationToken);

    public Task<AssessmentMetadata?> GetSubscriptionAssessmentMetadataAsync(string subscriptionId, string assessmentName, CancellationToken cancellationToken) =>
        inner.GetSubscriptionAssessmentMetadataAsync(subscriptionId, assessmentName, cancellationToken);

    public Task<IReadOnlyList<AssessmentMetadata>> ListSubscriptionAssessmentMetadataAsync(string subscriptionId, CancellationToken cancellationToken) =>
        inner.ListSubscriptionAssessmentMetadataAsync(subscriptionId, cancellationToken);

    /// <summary>The app's factory, each client it makes wrapped: every path to Resource Manager (scope membership too) sees the hook.</summary>
    public sealed class Factory(IDefenderClientFactory inner, Hook hook) : IDefenderClientFactory
    {
        public IDefenderClient Create() => new InterceptingDefenderClient(inner.Create(), hook);
    }

    public sealed class Hook
    {
        /// <summary>Taken (and cleared) by the next governance-assignment write.</summary>
        public Func<Task>? BeforeNextPut;
    }
}
