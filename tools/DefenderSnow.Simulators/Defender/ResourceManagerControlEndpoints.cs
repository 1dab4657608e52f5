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
    public static void Map(WebApplication app)
    {
        var control = app.MapGroup("/_sim/arm");
        control.MapPost("/reset", (ResourceManagerState state) =>
        {
            state.Reset();
            return Results.NoContent();
        });
        control.MapPost("/assessments", (ResourceManagerState state, SimulatedAssessment[] assessments) =>
            Apply(() => Array.ForEach(assessments, state.SeedAssessment)));
        control.MapPost("/assessmentMetadata", (ResourceManagerState state, SimulatedAssessmentMetadata[] metadata) =>
            Apply(() => Array.ForEach(metadata, state.SeedMetadata)));
        control.MapPost("/managementGroups", (ResourceManagerState state, SimulatedManagementGroup[] groups) =>
            Apply(() => Array.ForEach(groups, state.AddManagementGroup)));
        control.MapPost("/subscriptions", (ResourceManagerState state, SimulatedSubscription[] subscriptions) =>
            Apply(() => Array.ForEach(subscriptions, state.AddSubscription)));
        control.MapPost("/securityConnectors", (ResourceManagerState state, SimulatedSecurityConnector[] connectors) =>
            Apply(() => Array.ForEach(connectors, state.AddSecurityConnector)));
        control.MapGet("/governanceAssignments", (ResourceManagerState state) =>
            Results.Ok(state.GovernanceAssignments.Select(a => new
            {
                a.Id,
                a.ResourceId,
                a.AssessmentName,
                a.AssignmentKey,
                a.Properties,
            })));
        control.MapGet("/requests", (ResourceManagerState state) => Results.Ok(state.RequestCounts));
        control.MapPost("/faults", (ResourceManagerState state, SimulatedFault fault) => Apply(() => state.InjectFault(fault)));
        control.MapDelete("/faults", (ResourceManagerState state) =>
        {
            state.ClearFaults();
            return Results.NoContent();
        });
        control.MapPut("/latency", (ResourceManagerState state, LatencySetting setting) =>
            Apply(() => state.SetLatency(TimeSpan.FromMilliseconds(setting.Milliseconds), setting.Operation)));
        control.MapPut("/pageSize", (ResourceManagerState state, PageSizeSetting setting) => Apply(() => state.PageSize = setting.PageSize));
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

    internal sealed record LatencySetting(int Milliseconds, string? Operation);

    internal sealed record PageSizeSetting(int PageSize);
}
