using DefenderSnow.Core.Defender;

namespace DefenderSnow.Tests.Assignments;

/// <summary>
/// The real Defender client, except that an armed <see cref="Switch"/> makes the next governance-assignment write die
/// the way a process does: with an exception nothing in the product expects, after every earlier step was done.
/// </summary>
internal sealed class CrashingDefenderClient(IDefenderClient inner, CrashingDefenderClient.Switch crash) : IDefenderClient
{
    public Task<GovernanceAssignmentResource> PutGovernanceAssignmentAsync(
        string resourceId, string assessmentName, string assignmentKey, GovernanceAssignment assignment, CancellationToken cancellationToken)
    {
        if (crash.Armed)
        {
            crash.Armed = false;
            throw new InvalidOperationException("Simulated process death before the governance assignment was written.");
        }

        return inner.PutGovernanceAssignmentAsync(resourceId, assessmentName, assignmentKey, assignment, cancellationToken);
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

    public sealed class Switch
    {
        private volatile bool _armed;

        public bool Armed
        {
            get => _armed;
            set => _armed = value;
        }
    }
}
