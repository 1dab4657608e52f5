using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.Defender;

internal static partial class ResourceManagerEndpoints
{
    // Resources_List of Microsoft.Resources (azure-rest-api-specs, specification/resources/resource-manager/
    // Microsoft.Resources/stable/2021-04-01/resources.json): the versions that define it with this shape.
    private static readonly string[] ResourcesVersions = ["2021-04-01", "2022-09-01"];

    /// <summary>
    /// <c>GET /subscriptions/{id}/resources</c> (Resources_List): a ResourceListResult of GenericResourceExpanded items
    /// (<c>id</c>, <c>name</c>, <c>type</c>, <c>location</c>, <c>tags</c> only when the resource has any), paged by
    /// <c>nextLink</c>. <c>$filter</c> and <c>$expand</c> are not simulated and refused rather than ignored, so a client
    /// relying on them fails here first.
    /// </summary>
    private static async Task ListResourcesAsync(HttpContext context, ResourceManagerState state, ArmRoute route)
    {
        foreach (var unsupported in new[] { "$filter", "$expand" })
        {
            if (context.Request.Query.ContainsKey(unsupported))
            {
                await ArmErrors.WriteError(context, 400, "InvalidQueryParameter", $"The simulator does not implement '{unsupported}' on Resources_List.");
                return;
            }
        }

        if (state.ResourcesOf(route.Name) is not { } resources)
        {
            // As for the assessments list: https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-not-found
            await ArmErrors.WriteError(context, 404, "SubscriptionNotFound", $"The subscription '{route.Name}' could not be found.");
            return;
        }

        await WritePageAsync(context, state, resources, ToJson);
    }

    private static JsonObject ToJson(SimulatedResource resource)
    {
        var json = new JsonObject
        {
            ["id"] = resource.Id,
            ["name"] = resource.Id[(resource.Id.LastIndexOf('/') + 1)..],
            ["type"] = resource.Type,
            ["location"] = "westeurope",
        };
        if (resource.Tags.Count > 0)
        {
            var tags = new JsonObject();
            foreach (var (name, value) in resource.Tags)
            {
                tags[name] = value;
            }

            json["tags"] = tags;
        }

        return json;
    }
}
