namespace DefenderSnow.Core.Defender;

/// <summary>
/// The governance assignment calls of <see cref="DefenderClient"/> (the only writes DefenderSnow makes to
/// Defender for Cloud), at the governance API's only version, <see cref="IResourceManagerApi.GovernanceApiVersion"/>.
/// </summary>
internal sealed class DefenderGovernanceCalls
{
    private readonly IResourceManagerApi _api;
    private readonly ResourceManagerResponses _responses;
    private readonly ResourceManagerPager _pager;

    public DefenderGovernanceCalls(IResourceManagerApi api, ResourceManagerResponses responses, ResourceManagerPager pager)
    {
        _api = api;
        _responses = responses;
        _pager = pager;
    }

    public async Task<GovernanceAssignmentResource> PutAsync(
        string resourceId, string assessmentName, string assignmentKey, GovernanceAssignment assignment, CancellationToken cancellationToken)
    {
        const string operation = "PutGovernanceAssignment";
        ArgumentNullException.ThrowIfNull(assignment);
        var (resource, name, key) = ValidateAssignmentPath(resourceId, assessmentName, assignmentKey);
        var stored = await _responses.SendAsync(
            operation,
            () => _api.PutGovernanceAssignmentAsync(ResourceIdRules.RouteSegment(resource), name, key, new GovernanceAssignmentBody(assignment), cancellationToken),
            notFoundIsNull: false,
            cancellationToken).ConfigureAwait(false);
        return ToGovernanceAssignment(stored!, operation);
    }

    public async Task<GovernanceAssignmentResource?> GetAsync(
        string resourceId, string assessmentName, string assignmentKey, CancellationToken cancellationToken)
    {
        const string operation = "GetGovernanceAssignment";
        var (resource, name, key) = ValidateAssignmentPath(resourceId, assessmentName, assignmentKey);
        var stored = await _responses.SendAsync(
            operation,
            () => _api.GetGovernanceAssignmentAsync(ResourceIdRules.RouteSegment(resource), name, key, cancellationToken),
            notFoundIsNull: true,
            cancellationToken).ConfigureAwait(false);
        return stored is null ? null : ToGovernanceAssignment(stored, operation);
    }

    public Task DeleteAsync(string resourceId, string assessmentName, string assignmentKey, CancellationToken cancellationToken)
    {
        var (resource, name, key) = ValidateAssignmentPath(resourceId, assessmentName, assignmentKey);

        // 204 (or a 404 from a missing parent) means there is nothing to delete, which is what the caller wants.
        return _responses.SendAsync(
            "DeleteGovernanceAssignment",
            () => _api.DeleteGovernanceAssignmentAsync(ResourceIdRules.RouteSegment(resource), name, key, cancellationToken),
            notFoundIsDone: true,
            cancellationToken);
    }

    public async Task<IReadOnlyList<GovernanceAssignmentResource>> ListAsync(
        string resourceId, string assessmentName, CancellationToken cancellationToken)
    {
        const string operation = "ListGovernanceAssignments";
        var resource = ResourceIdRules.ValidateResourceId(resourceId);
        var name = ResourceIdRules.ValidateName(assessmentName, "assessmentName");
        var items = await _pager.ListAllAsync(
            operation,
            () => _api.ListGovernanceAssignmentsAsync(ResourceIdRules.RouteSegment(resource), name, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return items.Select(item => ToGovernanceAssignment(item, operation)).ToList();
    }

    private static (string Resource, string Name, string Key) ValidateAssignmentPath(string resourceId, string assessmentName, string assignmentKey) =>
        (ResourceIdRules.ValidateResourceId(resourceId),
         ResourceIdRules.ValidateName(assessmentName, "assessmentName"),
         ResourceIdRules.ValidateName(assignmentKey, "assignmentKey"));

    private GovernanceAssignmentResource ToGovernanceAssignment(ArmResource<GovernanceAssignment> stored, string operation) =>
        new(stored.Id ?? throw _responses.Unusable(operation, "a governance assignment without an id"),
            stored.Name ?? throw _responses.Unusable(operation, "a governance assignment without a name"),
            stored.Properties ?? throw _responses.Unusable(operation, "a governance assignment without properties"));
}
