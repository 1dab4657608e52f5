using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DefenderSnow.Simulators.KeyVault;

/// <summary>
/// <c>/_sim/keyvault/...</c> (besides the shared <c>/faults</c>): lets a local run or a script inspect the
/// simulator over HTTP. Values are never exposed here; names and requests are.
/// </summary>
internal static class KeyVaultControlEndpoints
{
    public static void Map(RouteGroupBuilder control, KeyVaultState state, Action reset)
    {
        control.MapGet("/secrets", () => Results.Json(new JsonObject
        {
            ["live"] = new JsonArray([.. state.List().Select(s => JsonValue.Create(s.Name))]),
            ["deleted"] = new JsonArray([.. state.ListDeleted().Select(d => JsonValue.Create(d.Secret.Name))]),
        }));
        control.MapGet("/requests", () =>
        {
            var requests = state.Requests();
            return Results.Json(new JsonObject
            {
                ["count"] = requests.Count,
                ["requests"] = new JsonArray([.. requests.Select(r => new JsonObject
                {
                    ["method"] = r.Method,
                    ["path"] = r.Path,
                    ["hadAuthorization"] = r.HadAuthorization,
                    ["status"] = r.StatusCode,
                })]),
            });
        });
        control.MapDelete("/requests", () =>
        {
            state.ClearRequests();
            return Results.NoContent();
        });
        control.MapPost("/reset", () =>
        {
            reset();
            return Results.NoContent();
        });
    }
}
