using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DefenderSnow.Simulators.Defender;

/// <summary>
/// HTTP control of the simulator under <c>/_sim/arm</c>, for local runs and scripts (tests use
/// <see cref="ResourceManagerSimulator.State"/> directly). Not part of Resource Manager, so no token is asked for.
/// </summary>
internal static class ResourceManagerControlEndpoints
{
    public static void Map(RouteGroupBuilder control, ResourceManagerState state)
    {
        control.MapPost("/reset", () =>
        {
            state.Reset();
            return Results.NoContent();
        });
        control.MapPost("/assessments", (SimulatedAssessment[] assessments) =>
            Apply(() => Array.ForEach(assessments, state.SeedAssessment)));
        // Defender forgets the assessments of a deleted resource: what sync closes as resourceRemoved.
        control.MapPost("/assessments/remove", (AssessmentReference[] assessments) =>
            Apply(() => Array.ForEach(assessments, a => state.RemoveAssessment(a.ResourceId, a.AssessmentName))));
        control.MapPost("/assessmentMetadata", (SimulatedAssessmentMetadata[] metadata) =>
            Apply(() => Array.ForEach(metadata, state.SeedMetadata)));
        control.MapPost("/managementGroups", (SimulatedManagementGroup[] groups) =>
            Apply(() => Array.ForEach(groups, state.AddManagementGroup)));
        control.MapPost("/subscriptions", (SimulatedSubscription[] subscriptions) =>
            Apply(() => Array.ForEach(subscriptions, state.AddSubscription)));
        control.MapPost("/securityConnectors", (SimulatedSecurityConnector[] connectors) =>
            Apply(() => Array.ForEach(connectors, state.AddSecurityConnector)));
        control.MapGet("/governanceAssignments", () =>
            Results.Ok(state.GovernanceAssignments.Select(a => new
            {
                a.Id,
                a.ResourceId,
                a.AssessmentName,
                a.AssignmentKey,
                a.Properties,
            })));
        control.MapGet("/requests", () => Results.Ok(state.RequestCounts));
        control.MapPost("/roles/revoke", (ScopeSetting setting) => Apply(() => state.RevokeRoles(setting.Scope)));
        control.MapPost("/roles/restore", () =>
        {
            state.RestoreRoles();
            return Results.NoContent();
        });
        control.MapPut("/pageSize", (PageSizeSetting setting) => Apply(() => state.PageSize = setting.PageSize));
        control.MapPut("/nextLinkShape", (NextLinkShapeSetting setting) => Apply(() => state.NextLinkShape = setting.Shape));
    }

    private static IResult Apply(Action change)
    {
        try
        {
            change();
            return Results.NoContent();
        }
        catch (ArgumentException e)
        {
            return Results.BadRequest(new { error = e.Message });
        }
    }

    internal sealed record PageSizeSetting(int PageSize);

    internal sealed record NextLinkShapeSetting(NextLinkShape Shape);

    internal sealed record ScopeSetting(string Scope);

    internal sealed record AssessmentReference(string ResourceId, string AssessmentName);
}
