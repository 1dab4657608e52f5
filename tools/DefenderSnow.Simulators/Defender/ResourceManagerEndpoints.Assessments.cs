using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.Defender;

internal static partial class ResourceManagerEndpoints
{
    /// <summary>
    /// <c>GET /subscriptions/{id}/providers/Microsoft.Security/assessments</c> (Assessments_List in
    /// azure-rest-api-specs, specification/security/resource-manager/Microsoft.Security/stable/2021-06-01/assessments.json,
    /// example ListAssessments_example.json), paged by <c>nextLink</c>. The specification gives the list no
    /// <c>$expand</c> (only the single GET has one), so items carry neither links nor metadata, and an <c>$expand</c>
    /// is refused rather than silently honoured. An unknown subscription is 404 <c>SubscriptionNotFound</c>, as
    /// Resource Manager answers (https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-not-found).
    /// </summary>
    private static async Task ListSubscriptionAssessmentsAsync(HttpContext context, ResourceManagerState state, ArmRoute route)
    {
        if (context.Request.Query.ContainsKey("$expand"))
        {
            await ArmErrors.WriteError(context, 400, "InvalidExpandParameter", "The $expand parameter is not supported when listing assessments.");
            return;
        }

        if (state.AssessmentsIn(route.Name) is not { } assessments)
        {
            await ArmErrors.WriteError(context, 404, "SubscriptionNotFound", $"The subscription '{route.Name}' could not be found.");
            return;
        }

        await WritePageAsync(context, state, assessments, a => AssessmentJson(a, state.FindMetadata(a.AssessmentName, route.Name), expand: [], listed: true, ServesRisk(context)));
    }

    /// <summary>The api-version from which assessments carry <c>properties.risk</c>.</summary>
    private const string RiskApiVersion = "2025-05-04";

    /// <summary>
    /// Whether the request's api-version serves <c>properties.risk</c>: 2025-05-04 does (stable/2025-05-04/assessments.json,
    /// <c>SecurityAssessmentPropertiesBase.risk</c>); 2021-06-01 and earlier have no such member, so it is left out
    /// there, as Resource Manager answers each api-version in its own shape.
    /// </summary>
    private static bool ServesRisk(HttpContext context) =>
        string.Equals(context.Request.Query["api-version"].ToString(), RiskApiVersion, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <c>properties.risk</c> as 2025-05-04 writes it: <c>level</c>, <c>riskFactors</c>, <c>attackPathsReferences</c>,
    /// <c>isContextualRisk</c> and <c>paths</c> (one per attack path reference, without nodes or edges: the simulator
    /// keeps no graph, and the spec requires neither).
    /// </summary>
    private static JsonObject RiskJson(SimulatedRisk risk) => new()
    {
        ["level"] = risk.Level,
        ["riskFactors"] = new JsonArray(risk.Factors.Select(f => (JsonNode)JsonValue.Create(f)!).ToArray()),
        ["attackPathsReferences"] = new JsonArray(risk.AttackPaths.Select(p => (JsonNode)JsonValue.Create(p)!).ToArray()),
        ["isContextualRisk"] = risk.IsContextual,
        ["paths"] = new JsonArray(risk.AttackPaths.Select(p => (JsonNode)new JsonObject { ["id"] = p, ["nodes"] = new JsonArray(), ["edges"] = new JsonArray() }).ToArray()),
    };

    /// <summary>
    /// <c>GET /providers/Microsoft.Security/assessmentMetadata</c> (AssessmentsMetadata_List in
    /// stable/2021-06-01 and 2025-05-04/assessmentMetadata.json): every built-in recommendation's metadata, tenant-wide,
    /// paged by <c>nextLink</c>. DefenderSnow no longer reads it (the subscription's list holds the built-ins too); served
    /// because Resource Manager serves it.
    /// </summary>
    private static Task ListMetadataAsync(HttpContext context, ResourceManagerState state) =>
        WritePageAsync(context, state, state.AllMetadata(), MetadataJson);

    /// <summary>
    /// <c>GET /subscriptions/{id}/providers/Microsoft.Security/assessmentMetadata</c> (AssessmentsMetadata_ListBySubscription
    /// in stable/2021-06-01 and 2025-05-04/assessmentMetadata.json, example ListAssessmentsMetadata_subscription_example.json): the
    /// built-in recommendations and the subscription's custom ones, paged by <c>nextLink</c>. A custom one's id lies under
    /// the subscription (CreateAssessmentsMetadata_subscription_example.json).
    /// </summary>
    private static async Task ListSubscriptionMetadataAsync(HttpContext context, ResourceManagerState state, ArmRoute route)
    {
        if (state.MetadataIn(route.Name) is not { } metadata)
        {
            await ArmErrors.WriteError(context, 404, "SubscriptionNotFound", $"The subscription '{route.Name}' could not be found.");
            return;
        }

        await WritePageAsync(context, state, metadata, m => SubscriptionMetadataJson(state, route.Name, m));
    }

    /// <summary>
    /// <c>GET /subscriptions/{id}/providers/Microsoft.Security/assessmentMetadata/{name}</c> (AssessmentsMetadata_GetInSubscription
    /// in stable/2025-05-04/assessmentMetadata.json): a built-in recommendation, whose id stays tenant-level as
    /// GetAssessmentsMetadata_subscription_example.json shows, or one of the subscription's custom ones, whose id lies under
    /// the subscription (CreateAssessmentsMetadata_subscription_example.json). Another subscription's custom recommendation
    /// is not found here. An unknown subscription is 404 <c>SubscriptionNotFound</c>, an unknown name 404 <c>ResourceNotFound</c>.
    /// </summary>
    private static async Task GetSubscriptionMetadataAsync(HttpContext context, ResourceManagerState state, ArmRoute route)
    {
        var subscription = route.Key!;
        if (state.MetadataIn(subscription) is not { } metadata)
        {
            await ArmErrors.WriteError(context, 404, "SubscriptionNotFound", $"The subscription '{subscription}' could not be found.");
            return;
        }

        if (metadata.FirstOrDefault(m => m.AssessmentName.Equals(route.Name, StringComparison.OrdinalIgnoreCase)) is not { } found)
        {
            await ArmErrors.WriteError(context, 404, "ResourceNotFound", $"The Resource 'Microsoft.Security/assessmentMetadata/{route.Name}' under '/subscriptions/{subscription}' was not found.");
            return;
        }

        await ArmErrors.WriteJson(context, 200, SubscriptionMetadataJson(state, subscription, found));
    }

    /// <summary>Metadata as a subscription's endpoints write it: a custom recommendation's id lies under the subscription.</summary>
    private static JsonObject SubscriptionMetadataJson(ResourceManagerState state, string subscription, SimulatedAssessmentMetadata metadata)
    {
        var json = MetadataJson(metadata);
        if (state.FindMetadata(metadata.AssessmentName) is null)
        {
            json["id"] = $"/subscriptions/{subscription}/providers/Microsoft.Security/assessmentMetadata/{metadata.AssessmentName}";
        }

        return json;
    }
}
