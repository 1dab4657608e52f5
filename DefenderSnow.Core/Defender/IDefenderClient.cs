using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// The parts of Azure Resource Manager DefenderSnow uses: Defender for Cloud governance assignments,
/// assessments and assessment metadata, and management-group descendants.
/// </summary>
/// <remarks>
/// Ids and names are validated before they go into a URL (<see cref="ValidationException"/> on
/// <c>resourceId</c>, <c>assessmentName</c>, <c>assignmentKey</c> or <c>managementGroupId</c>). Errors Resource
/// Manager returns become <see cref="ResourceManagerException"/> with its code; throttling and server
/// errors are retried (honouring <c>Retry-After</c>), and when retries run out, or the service cannot be
/// reached, <see cref="UpstreamUnreachableException"/> is raised.
/// </remarks>
public interface IDefenderClient
{
    /// <summary>Creates or replaces the governance assignment <paramref name="assignmentKey"/> of a recommendation on a resource.</summary>
    Task<GovernanceAssignmentResource> PutGovernanceAssignmentAsync(
        string resourceId, string assessmentName, string assignmentKey, GovernanceAssignment assignment, CancellationToken cancellationToken);

    /// <returns>The assignment, or <c>null</c> when there is none under that key.</returns>
    Task<GovernanceAssignmentResource?> GetGovernanceAssignmentAsync(
        string resourceId, string assessmentName, string assignmentKey, CancellationToken cancellationToken);

    /// <summary>Deletes the assignment; one that does not exist is not an error.</summary>
    Task DeleteGovernanceAssignmentAsync(string resourceId, string assessmentName, string assignmentKey, CancellationToken cancellationToken);

    /// <summary>Every governance assignment of a recommendation on a resource (all pages).</summary>
    Task<IReadOnlyList<GovernanceAssignmentResource>> ListGovernanceAssignmentsAsync(
        string resourceId, string assessmentName, CancellationToken cancellationToken);

    /// <returns>The assessment (with its portal link), or <c>null</c> when Defender has none for that resource and recommendation.</returns>
    Task<Assessment?> GetAssessmentAsync(string resourceId, string assessmentName, CancellationToken cancellationToken);

    /// <returns>
    /// The recommendation's metadata (tenant-level: built-in recommendations only), or <c>null</c> when none has that name.
    /// A custom recommendation is known only in its subscription: <see cref="AssessmentMetadataLookup"/> looks there too.
    /// </returns>
    Task<AssessmentMetadata?> GetAssessmentMetadataAsync(string assessmentName, CancellationToken cancellationToken);

    /// <returns>
    /// The recommendation's metadata as <paramref name="subscriptionId"/> sees it: a built-in one, or one of the
    /// subscription's custom recommendations; <c>null</c> when the subscription knows none by that name.
    /// </returns>
    /// <remarks>Takes the subscription's GUID, not its id.</remarks>
    Task<AssessmentMetadata?> GetSubscriptionAssessmentMetadataAsync(string subscriptionId, string assessmentName, CancellationToken cancellationToken);

    /// <summary>
    /// Every assessment in a subscription, page by page as Resource Manager returns them (one paged list, never a call
    /// per resource). An error on any page is thrown from the enumeration: a partial read is never silently short.
    /// </summary>
    /// <remarks>Takes the subscription's GUID, not its id. Assessments carry no links or severity in this list.</remarks>
    IAsyncEnumerable<Assessment> ListSubscriptionAssessmentsAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>
    /// Every recommendation's metadata as one subscription sees it (the subscription's <c>assessmentMetadata</c> list, all
    /// pages): the built-in recommendations and the subscription's custom ones, which the tenant-wide list leaves out (so
    /// the tenant-wide list is not read at all: it would only repeat the built-ins).
    /// </summary>
    /// <remarks>Takes the subscription's GUID, not its id.</remarks>
    Task<IReadOnlyList<AssessmentMetadata>> ListSubscriptionAssessmentMetadataAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>Every management group and subscription below a management group, at any depth (all pages).</summary>
    /// <remarks>Takes the group's name (the last segment of its id, <see cref="DefenderScope.GetManagementGroupName"/>), not its full id.</remarks>
    Task<IReadOnlyList<ManagementGroupDescendant>> ListManagementGroupDescendantsAsync(string managementGroupName, CancellationToken cancellationToken);

    /// <summary>Every multicloud security connector of a subscription (all pages).</summary>
    /// <remarks>Takes the subscription's GUID, not its id.</remarks>
    Task<IReadOnlyList<SecurityConnector>> ListSecurityConnectorsAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>
    /// The tags of every resource of a subscription (<c>Resources_List</c>, all pages), by resource id; ids and tag
    /// names compare without case, as in Resource Manager. Resources without tags are absent.
    /// </summary>
    /// <remarks>Takes the subscription's GUID, not its id.</remarks>
    Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> ListResourceTagsAsync(string subscriptionId, CancellationToken cancellationToken);
}
