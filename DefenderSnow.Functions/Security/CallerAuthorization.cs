using DefenderSnow.Core.Access;
using DefenderSnow.Core.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace DefenderSnow.Functions.Security;

/// <summary>
/// Decides who is calling and whether they may. With <see cref="AuthorizationOptions.RequireRoles"/> on,
/// the caller is the App Service authentication principal and must hold a role that grants the function
/// (<see cref="FunctionRoles"/>). With it off, the function key alone admits the caller, and the
/// principal-name header only feeds the audit trail.
/// </summary>
public sealed class CallerAuthorization
{
    public const string PrincipalNameHeader = "X-MS-CLIENT-PRINCIPAL-NAME";
    public const string PrincipalIdHeader = "X-MS-CLIENT-PRINCIPAL-ID";

    private readonly IOptions<AuthorizationOptions> _options;

    public CallerAuthorization(IOptions<AuthorizationOptions> options)
    {
        _options = options;
    }

    /// <exception cref="AuthenticationRequiredException">Roles are required and there is no readable principal.</exception>
    /// <exception cref="ForbiddenException">Roles are required and the principal has none that grants the function.</exception>
    public Caller Authorize(HttpRequest request, string functionName)
    {
        if (!_options.Value.RequireRoles)
        {
            // No identity can be trusted here, so no access list can apply: the key holder reaches everything, as it always did.
            return new Caller(AuditName(request), CallerAccess.Unrestricted);
        }

        // One message for every unreadable principal: the answer must not teach a forger what to fix.
        if (!request.Headers.TryGetValue(ClientPrincipal.HeaderName, out var header) || header.Count != 1
            || !ClientPrincipal.TryParse(header[0], out var principal))
        {
            throw new AuthenticationRequiredException("Sign in with Microsoft Entra ID: this endpoint requires an authenticated caller with an app role.");
        }

        var accepted = FunctionRoles.For(functionName);
        if (accepted.Count == 0)
        {
            throw new ForbiddenException("(none)", $"No app role grants {functionName}.");
        }

        var granting = accepted.Where(principal.Roles.Contains).ToList();
        if (granting.Count == 0)
        {
            throw new ForbiddenException(
                accepted[0],
                $"{functionName} requires the app role '{accepted[0]}'"
                + (accepted.Count > 1 ? $" (or one of: {string.Join(", ", accepted.Skip(1).Select(r => $"'{r}'"))})." : "."));
        }

        // The app role got the caller this far; which integrations it reaches is the access lists' to say (IntegrationAccess).
        var access = principal.Roles.Contains(AppRoles.Admin)
            ? CallerAccess.Unrestricted
            : CallerAccess.For(principal.ObjectId, principal.Groups, granting);
        return new Caller(principal.Name, access);
    }

    /// <summary>Without platform authentication these headers are whatever the caller wrote: audit only, never access.</summary>
    private static string? AuditName(HttpRequest request)
    {
        var name = request.Headers[PrincipalNameHeader].ToString();
        var who = !string.IsNullOrWhiteSpace(name) ? name : request.Headers[PrincipalIdHeader].ToString();
        var clean = ClientPrincipal.Clean(who);
        return clean.Length == 0 ? null : clean;
    }
}
