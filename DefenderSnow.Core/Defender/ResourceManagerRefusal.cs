using System.Text.RegularExpressions;

namespace DefenderSnow.Core.Defender;

/// <summary>
/// What a refusal by Resource Manager means for whoever reads the problem: which role is missing where (403
/// <c>AuthorizationFailed</c>, the commonest real failure), what does not exist (404), that something else is changing
/// the resource (409), that a request went out without a JSON body type (415). Resource Manager's own words follow.
/// </summary>
internal static partial class ResourceManagerRefusal
{
    public static string Describe(int status, string code, string message, string operation) => (status, code) switch
    {
        (403, "AuthorizationFailed") when AuthorizationFailed().Match(message) is { Success: true } m =>
            $"DefenderSnow's identity has no role allowing '{m.Groups["action"].Value}' at scope '{m.Groups["scope"].Value}': "
            + $"give it the DefenderSnow Defender governance role that infra/ deploys (or Security Admin) on that scope or a scope above it. Resource Manager said: {message}",
        (403, _) =>
            $"Resource Manager refused {operation} ({code}): DefenderSnow's identity lacks a role on the resource; give it the DefenderSnow Defender governance role (or Security Admin) there. Resource Manager said: {message}",
        (404, _) =>
            $"Resource Manager found nothing to {operation} ({code}): the recommendation or resource may no longer exist. Resource Manager said: {message}",
        (409, _) =>
            $"Resource Manager refused {operation} because of a conflicting change to the same resource ({code}); try again later. Resource Manager said: {message}",
        (415, _) =>
            $"Resource Manager refused the body of {operation} as not JSON ({code}); this is a DefenderSnow defect. Resource Manager said: {message}",
        _ => message,
    };

    [GeneratedRegex(@"perform action '(?<action>[^']+)' over scope '(?<scope>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationFailed();
}
