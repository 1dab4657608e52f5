using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// <see cref="IDefenderClient"/> over <see cref="IResourceManagerApi"/>, the one face of its parts: governance
/// writes (<see cref="DefenderGovernanceCalls"/>), reads (<see cref="DefenderReads"/>), paging
/// (<see cref="ResourceManagerPager"/>) and the mapping of answers to models or typed errors
/// (<see cref="ResourceManagerResponses"/>). Each validates what goes into URLs. Retrying happens below, in the
/// HTTP pipeline (see <see cref="DefenderServiceCollectionExtensions"/>).
/// </summary>
internal sealed class DefenderClient : IDefenderClient
{
    private readonly DefenderGovernanceCalls _governance;
    private readonly DefenderReads _reads;

    /// <remarks>Made by <see cref="DefenderClientFactory"/>: <paramref name="api"/> and <paramref name="links"/> share one <see cref="HttpClient"/>.</remarks>
    public DefenderClient(IResourceManagerApi api, ResourceManagerLinks links, ILogger<DefenderClient> logger)
    {
        var responses = new ResourceManagerResponses(logger);
        var pager = new ResourceManagerPager(responses, links);
        _governance = new DefenderGovernanceCalls(api, responses, pager);
        _reads = new DefenderReads(api, responses, pager);
    }

    public Task<GovernanceAssignmentResource> PutGovernanceAssignmentAsync(
        string resourceId, string assessmentName, string assignmentKey, GovernanceAssignment assignment, CancellationToken cancellationToken) =>
        _governance.PutAsync(resourceId, assessmentName, assignmentKey, assignment, cancellationToken);

    public Task<GovernanceAssignmentResource?> GetGovernanceAssignmentAsync(
        string resourceId, string assessmentName, string assignmentKey, CancellationToken cancellationToken) =>
        _governance.GetAsync(resourceId, assessmentName, assignmentKey, cancellationToken);

    public Task DeleteGovernanceAssignmentAsync(string resourceId, string assessmentName, string assignmentKey, CancellationToken cancellationToken) =>
        _governance.DeleteAsync(resourceId, assessmentName, assignmentKey, cancellationToken);

    public Task<IReadOnlyList<GovernanceAssignmentResource>> ListGovernanceAssignmentsAsync(
        string resourceId, string assessmentName, CancellationToken cancellationToken) =>
        _governance.ListAsync(resourceId, assessmentName, cancellationToken);

    public Task<Assessment?> GetAssessmentAsync(string resourceId, string assessmentName, CancellationToken cancellationToken) =>
        _reads.GetAssessmentAsync(resourceId, assessmentName, cancellationToken);

    public Task<AssessmentMetadata?> GetAssessmentMetadataAsync(string assessmentName, CancellationToken cancellationToken) =>
        _reads.GetAssessmentMetadataAsync(assessmentName, cancellationToken);

    public Task<AssessmentMetadata?> GetSubscriptionAssessmentMetadataAsync(string subscriptionId, string assessmentName, CancellationToken cancellationToken) =>
        _reads.GetSubscriptionAssessmentMetadataAsync(subscriptionId, assessmentName, cancellationToken);

    public IAsyncEnumerable<Assessment> ListSubscriptionAssessmentsAsync(string subscriptionId, CancellationToken cancellationToken) =>
        _reads.ListSubscriptionAssessmentsAsync(subscriptionId, cancellationToken);

    public Task<IReadOnlyList<AssessmentMetadata>> ListSubscriptionAssessmentMetadataAsync(string subscriptionId, CancellationToken cancellationToken) =>
        _reads.ListSubscriptionAssessmentMetadataAsync(subscriptionId, cancellationToken);

    public Task<IReadOnlyList<ManagementGroupDescendant>> ListManagementGroupDescendantsAsync(string managementGroupName, CancellationToken cancellationToken) =>
        _reads.ListManagementGroupDescendantsAsync(managementGroupName, cancellationToken);

    public Task<IReadOnlyList<SecurityConnector>> ListSecurityConnectorsAsync(string subscriptionId, CancellationToken cancellationToken) =>
        _reads.ListSecurityConnectorsAsync(subscriptionId, cancellationToken);

    public Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> ListResourceTagsAsync(string subscriptionId, CancellationToken cancellationToken) =>
        _reads.ListResourceTagsAsync(subscriptionId, cancellationToken);
}
