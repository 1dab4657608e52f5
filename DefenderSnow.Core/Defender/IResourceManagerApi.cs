using Refit;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// Resource Manager over Refit. Resource ids are passed without their leading '/' into a round-tripped
/// <c>{**resourceId}</c> segment (each of its segments escaped); <see cref="DefenderClient"/> validates every
/// value first. Responses come back as <see cref="IApiResponse"/> so the client, not Refit, decides what
/// each status means. Only a listing's first page is called here; the pages after it are the <c>nextLink</c>s
/// Resource Manager returns, followed as given by <see cref="ResourceManagerLinks"/>.
/// </summary>
internal interface IResourceManagerApi
{
    // Governance assignments have one api-version, 2022-01-01-preview (the only folder with governanceAssignments.json
    // under specification/security/resource-manager/Microsoft.Security in Azure/azure-rest-api-specs): it stays.
    const string GovernanceApiVersion = "2022-01-01-preview";

    // 2025-05-04 (stable/2025-05-04/assessments.json and assessmentMetadata.json, Azure/azure-rest-api-specs#33843):
    // assessments carry properties.risk (level, riskFactors, attackPathsReferences) and metadata severity Critical.
    const string AssessmentsApiVersion = "2025-05-04";
    const string ManagementGroupsApiVersion = "2020-05-01";
    const string SecurityConnectorsApiVersion = "2023-10-01-preview";
    const string ResourcesApiVersion = "2021-04-01";

    [Put("/{**resourceId}/providers/Microsoft.Security/assessments/{assessmentName}/governanceAssignments/{assignmentKey}?api-version=" + GovernanceApiVersion)]
    Task<IApiResponse<ArmResource<GovernanceAssignment>>> PutGovernanceAssignmentAsync(
        string resourceId, string assessmentName, string assignmentKey, [Body] GovernanceAssignmentBody body, CancellationToken cancellationToken);

    [Get("/{**resourceId}/providers/Microsoft.Security/assessments/{assessmentName}/governanceAssignments/{assignmentKey}?api-version=" + GovernanceApiVersion)]
    Task<IApiResponse<ArmResource<GovernanceAssignment>>> GetGovernanceAssignmentAsync(
        string resourceId, string assessmentName, string assignmentKey, CancellationToken cancellationToken);

    [Delete("/{**resourceId}/providers/Microsoft.Security/assessments/{assessmentName}/governanceAssignments/{assignmentKey}?api-version=" + GovernanceApiVersion)]
    Task<IApiResponse> DeleteGovernanceAssignmentAsync(
        string resourceId, string assessmentName, string assignmentKey, CancellationToken cancellationToken);

    [Get("/{**resourceId}/providers/Microsoft.Security/assessments/{assessmentName}/governanceAssignments?api-version=" + GovernanceApiVersion)]
    Task<IApiResponse<ArmCollection<ArmResource<GovernanceAssignment>>>> ListGovernanceAssignmentsAsync(
        string resourceId, string assessmentName, CancellationToken cancellationToken);

    [Get("/{**resourceId}/providers/Microsoft.Security/assessments/{assessmentName}?api-version=" + AssessmentsApiVersion + "&$expand=links")]
    Task<IApiResponse<ArmResource<AssessmentWireProperties>>> GetAssessmentAsync(
        string resourceId, string assessmentName, CancellationToken cancellationToken);

    [Get("/providers/Microsoft.Security/assessmentMetadata/{assessmentName}?api-version=" + AssessmentsApiVersion)]
    Task<IApiResponse<ArmResource<AssessmentMetadataWireProperties>>> GetAssessmentMetadataAsync(
        string assessmentName, CancellationToken cancellationToken);

    // AssessmentsMetadata_GetInSubscription (stable/2025-05-04/assessmentMetadata.json, example
    // GetAssessmentsMetadata_subscription_example.json): a built-in recommendation as the subscription sees it, or one of
    // the subscription's custom ones, which the tenant-level GET above does not know.
    [Get("/subscriptions/{subscriptionId}/providers/Microsoft.Security/assessmentMetadata/{assessmentName}?api-version=" + AssessmentsApiVersion)]
    Task<IApiResponse<ArmResource<AssessmentMetadataWireProperties>>> GetSubscriptionAssessmentMetadataAsync(
        string subscriptionId, string assessmentName, CancellationToken cancellationToken);

    // The list takes no $expand (only the single GET does, in 2021-06-01 and 2025-05-04), so severity comes from the metadata list.
    [Get("/subscriptions/{subscriptionId}/providers/Microsoft.Security/assessments?api-version=" + AssessmentsApiVersion)]
    Task<IApiResponse<ArmCollection<ArmResource<AssessmentWireProperties>>>> ListSubscriptionAssessmentsAsync(
        string subscriptionId, CancellationToken cancellationToken);

    // AssessmentsMetadata_ListBySubscription (stable/2025-05-04/assessmentMetadata.json, the newest stable version with
    // assessmentMetadata; same api-version as the assessments, and it carries severity Critical): the built-in
    // recommendations and the subscription's custom ones (ListAssessmentsMetadata_subscription_example.json lists a
    // BuiltIn and a CustomPolicy one, in stable/2021-06-01), so it is the only metadata listing a pass needs; the tenant-wide
    // AssessmentsMetadata_List would only repeat the built-ins.
    [Get("/subscriptions/{subscriptionId}/providers/Microsoft.Security/assessmentMetadata?api-version=" + AssessmentsApiVersion)]
    Task<IApiResponse<ArmCollection<ArmResource<AssessmentMetadataWireProperties>>>> ListSubscriptionAssessmentMetadataAsync(
        string subscriptionId, CancellationToken cancellationToken);

    [Get("/providers/Microsoft.Management/managementGroups/{groupName}/descendants?api-version=" + ManagementGroupsApiVersion)]
    Task<IApiResponse<ArmCollection<ArmResource<DescendantWireProperties>>>> ListManagementGroupDescendantsAsync(
        string groupName, CancellationToken cancellationToken);

    [Get("/subscriptions/{subscriptionId}/providers/Microsoft.Security/securityConnectors?api-version=" + SecurityConnectorsApiVersion)]
    Task<IApiResponse<ArmCollection<ArmResource<SecurityConnectorWireProperties>>>> ListSecurityConnectorsAsync(
        string subscriptionId, CancellationToken cancellationToken);

    [Get("/subscriptions/{subscriptionId}/resources?api-version=" + ResourcesApiVersion)]
    Task<IApiResponse<ArmCollection<TaggedResourceWire>>> ListResourcesAsync(
        string subscriptionId, CancellationToken cancellationToken);
}
