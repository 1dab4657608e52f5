using System.Runtime.CompilerServices;
using DefenderSnow.Core.Errors;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// The reads of <see cref="DefenderClient"/>: assessments and their metadata, and what scope membership and rules
/// need (management group descendants, security connectors, resource tags). Every listing goes through
/// <see cref="ResourceManagerPager"/>.
/// </summary>
internal sealed class DefenderReads
{
    private readonly IResourceManagerApi _api;
    private readonly ResourceManagerResponses _responses;
    private readonly ResourceManagerPager _pager;
    private readonly AssessmentWireMapping _mapping;

    public DefenderReads(IResourceManagerApi api, ResourceManagerResponses responses, ResourceManagerPager pager)
    {
        _api = api;
        _responses = responses;
        _pager = pager;
        _mapping = new AssessmentWireMapping(responses);
    }

    public async Task<Assessment?> GetAssessmentAsync(string resourceId, string assessmentName, CancellationToken cancellationToken)
    {
        const string operation = "GetAssessment";
        var resource = ResourceIdRules.ValidateResourceId(resourceId);
        var name = ResourceIdRules.ValidateName(assessmentName, "assessmentName");
        var stored = await _responses.SendAsync(
            operation, () => _api.GetAssessmentAsync(ResourceIdRules.RouteSegment(resource), name, cancellationToken), notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : _mapping.ToAssessment(stored, resource, name, operation);
    }

    public async Task<AssessmentMetadata?> GetAssessmentMetadataAsync(string assessmentName, CancellationToken cancellationToken)
    {
        var name = ResourceIdRules.ValidateName(assessmentName, "assessmentName");
        var stored = await _responses.SendAsync(
            "GetAssessmentMetadata", () => _api.GetAssessmentMetadataAsync(name, cancellationToken), notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : AssessmentWireMapping.ToMetadata(stored, name);
    }

    public async Task<AssessmentMetadata?> GetSubscriptionAssessmentMetadataAsync(string subscriptionId, string assessmentName, CancellationToken cancellationToken)
    {
        var id = ValidateSubscriptionId(subscriptionId);
        var name = ResourceIdRules.ValidateName(assessmentName, "assessmentName");
        var stored = await _responses.SendAsync(
            "GetSubscriptionAssessmentMetadata", () => _api.GetSubscriptionAssessmentMetadataAsync(id, name, cancellationToken), notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : AssessmentWireMapping.ToMetadata(stored, name);
    }

    public async IAsyncEnumerable<Assessment> ListSubscriptionAssessmentsAsync(
        string subscriptionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const string operation = "ListSubscriptionAssessments";
        var id = ValidateSubscriptionId(subscriptionId);
        var pages = _pager.PagesAsync(
            operation,
            () => _api.ListSubscriptionAssessmentsAsync(id, cancellationToken),
            cancellationToken);
        await foreach (var page in pages.ConfigureAwait(false))
        {
            foreach (var item in page)
            {
                yield return _mapping.ToListedAssessment(item, operation);
            }
        }
    }

    public async Task<IReadOnlyList<AssessmentMetadata>> ListSubscriptionAssessmentMetadataAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        const string operation = "ListSubscriptionAssessmentMetadata";
        var id = ValidateSubscriptionId(subscriptionId);
        var items = await _pager.ListAllAsync(
            operation,
            () => _api.ListSubscriptionAssessmentMetadataAsync(id, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return items
            .Select(item => AssessmentWireMapping.ToMetadata(item, item.Name ?? throw _responses.Unusable(operation, "assessment metadata without a name")))
            .ToList();
    }

    public async Task<IReadOnlyList<ManagementGroupDescendant>> ListManagementGroupDescendantsAsync(string managementGroupName, CancellationToken cancellationToken)
    {
        const string operation = "ListManagementGroupDescendants";
        var group = ResourceIdRules.ValidateManagementGroupName(managementGroupName);
        var items = await _pager.ListAllAsync(
            operation,
            () => _api.ListManagementGroupDescendantsAsync(group, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return items
            .Select(item => new ManagementGroupDescendant(
                item.Id ?? throw _responses.Unusable(operation, "a descendant without an id"),
                item.Name ?? item.Id[(item.Id.LastIndexOf('/') + 1)..],
                item.Type ?? throw _responses.Unusable(operation, "a descendant without a type"),
                item.Properties?.DisplayName,
                item.Properties?.Parent?.Id))
            .ToList();
    }

    public async Task<IReadOnlyList<SecurityConnector>> ListSecurityConnectorsAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        const string operation = "ListSecurityConnectors";
        var id = ValidateSubscriptionId(subscriptionId);
        var items = await _pager.ListAllAsync(
            operation,
            () => _api.ListSecurityConnectorsAsync(id, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return items
            .Select(item => new SecurityConnector(
                item.Id ?? throw _responses.Unusable(operation, "a security connector without an id"),
                item.Properties?.HierarchyIdentifier,
                item.Properties?.EnvironmentName,
                item.Properties?.EnvironmentData?.OrganizationalData?.OrganizationMembershipType,
                item.Properties?.EnvironmentData?.OrganizationalData?.ParentHierarchyId))
            .ToList();
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> ListResourceTagsAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        const string operation = "ListResources";
        var id = ValidateSubscriptionId(subscriptionId);
        var items = await _pager.ListAllAsync(
            operation,
            () => _api.ListResourcesAsync(id, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        var tags = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items.Where(i => i.Tags is { Count: > 0 }))
        {
            var named = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, value) in item.Tags!)
            {
                named.TryAdd(name, value);
            }

            tags[item.Id ?? throw _responses.Unusable(operation, "a resource without an id")] = named;
        }

        return tags;
    }

    private static string ValidateSubscriptionId(string subscriptionId) =>
        Guid.TryParseExact(subscriptionId, "D", out var subscription)
            ? subscription.ToString("D")
            : throw new ValidationException("subscriptionId", "Must be a subscription GUID.");
}
