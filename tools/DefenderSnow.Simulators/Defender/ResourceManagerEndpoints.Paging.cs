using System.Globalization;
using System.Text.Json.Nodes;
using DefenderSnow.Simulators.Hosting;
using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.Defender;

internal static partial class ResourceManagerEndpoints
{
    /// <summary>The provider's own parameter of <see cref="NextLinkShape.ExtraParameters"/> links: the offset the link leads to.</summary>
    private const string PageCheckParameter = "sim-page";

    /// <summary>
    /// One page of a collection, and a <c>nextLink</c> to the next one while more items remain, in the shape the test
    /// chose (<see cref="ResourceManagerState.NextLinkShape"/>). Only the page's items are turned into JSON, so that a
    /// page of a 100,000-item collection costs a page.
    /// </summary>
    private static async Task WritePageAsync<T>(HttpContext context, ResourceManagerState state, IReadOnlyList<T> items, Func<T, JsonNode> toJson)
    {
        var shape = state.NextLinkShape;

        // Query names compare without case, as in Resource Manager, so "$skipToken" reads as "$skiptoken".
        var skipToken = context.Request.Query["$skiptoken"].ToString();
        var offset = 0;
        var emptyPage = false;
        if (skipToken.Length > 0
            && (!SkipToken.TryRead(skipToken, out offset, out emptyPage)
                || (shape == NextLinkShape.ExtraParameters && context.Request.Query[PageCheckParameter].ToString() != offset.ToString(CultureInfo.InvariantCulture))))
        {
            await ArmErrors.WriteError(context, 400, "InvalidSkipToken", "The $skiptoken is invalid.");
            return;
        }

        var pageSize = state.PageSize;
        var top = context.Request.Query["$top"].ToString();
        if (top.Length > 0)
        {
            if (!int.TryParse(top, NumberStyles.None, CultureInfo.InvariantCulture, out var requested) || requested < 1)
            {
                await ArmErrors.WriteError(context, 400, "InvalidTopParameter", $"The $top value '{top}' must be a positive integer.");
                return;
            }

            pageSize = Math.Min(pageSize, requested);
        }

        var page = emptyPage ? [] : items.Skip(offset).Take(pageSize).ToList();
        var body = new JsonObject { ["value"] = new JsonArray(page.Select(toJson).ToArray()) };
        var next = emptyPage ? offset : offset + page.Count;
        string? token = null;
        if (shape == NextLinkShape.Repeating)
        {
            token = SkipToken.Write(offset);
        }
        else if (shape == NextLinkShape.EmptyPageWithLink && !emptyPage && page.Count > 0)
        {
            token = SkipToken.WriteEmptyPageBefore(next);
        }
        else if (next < items.Count)
        {
            token = SkipToken.Write(next);
        }

        if (token is not null)
        {
            body["nextLink"] = NextLink(context, state, shape, top, token, next);
        }

        await ArmErrors.WriteJson(context, 200, body);
    }

    private static string NextLink(HttpContext context, ResourceManagerState state, NextLinkShape shape, string top, string token, int next)
    {
        var origin = state.NextLinkBase?.GetLeftPart(UriPartial.Authority) ?? $"https://{context.Request.Host}";
        var path = $"{origin}{context.Request.Path}";
        var version = Uri.EscapeDataString(context.Request.Query["api-version"].ToString());
        var topParameter = top.Length > 0 ? $"&$top={top}" : string.Empty;
        var escaped = Uri.EscapeDataString(token);
        return shape switch
        {
            NextLinkShape.SkipTokenCamelCase => $"{path}?api-version={version}{topParameter}&$skipToken={escaped}",
            NextLinkShape.ExtraParameters => $"{path}?$skiptoken={escaped}&api-version={version}{topParameter}&{PageCheckParameter}={next.ToString(CultureInfo.InvariantCulture)}",
            _ => $"{path}?api-version={version}{topParameter}&$skiptoken={escaped}",
        };
    }
}
