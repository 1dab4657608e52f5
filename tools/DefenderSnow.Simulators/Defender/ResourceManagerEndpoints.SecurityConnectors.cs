using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.Defender;

internal static partial class ResourceManagerEndpoints
{
    private static readonly string[] SecurityConnectorVersions = ["2023-10-01-preview"];

    /// <summary>
    /// <c>GET /subscriptions/{id}/providers/Microsoft.Security/securityConnectors</c>, in the shape of the specification's
    /// example GetSecurityConnectorsSubscription_example.json (2023-10-01-preview), paged by <c>nextLink</c>.
    /// </summary>
    private static Task ListSecurityConnectorsAsync(HttpContext context, ResourceManagerState state, ArmRoute route) =>
        WritePageAsync(context, state, state.SecurityConnectorsOf(route.Name), ToJson);

    private static JsonObject ToJson(SimulatedSecurityConnector connector)
    {
        var environmentData = new JsonObject { ["environmentType"] = connector.EnvironmentName.Equals("GCP", StringComparison.OrdinalIgnoreCase) ? "GcpProject" : "AwsAccount" };
        if (connector.MembershipType is { } membership)
        {
            var organizational = new JsonObject { ["organizationMembershipType"] = membership };
            if (connector.ParentHierarchyId is { } parent)
            {
                organizational["parentHierarchyId"] = parent;
            }

            environmentData["organizationalData"] = organizational;
        }

        return new JsonObject
        {
            ["id"] = connector.Id,
            ["name"] = connector.Name,
            ["type"] = "Microsoft.Security/securityConnectors",
            ["location"] = "centralus",
            ["properties"] = new JsonObject
            {
                ["hierarchyIdentifier"] = connector.HierarchyIdentifier,
                ["environmentName"] = connector.EnvironmentName,
                ["environmentData"] = environmentData,
                ["offerings"] = new JsonArray(),
            },
        };
    }
}
