using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Functions.Http;

/// <summary>
/// Who is calling, as App Service authentication reports it. The platform sets these headers (and
/// strips any the client sent) only when authentication is enabled on the Function App; without it
/// they are whatever the caller wrote, so they serve the audit trail, never authorisation.
/// </summary>
public static class CallerIdentity
{
    public static string? Of(HttpRequest request)
    {
        var name = request.Headers["X-MS-CLIENT-PRINCIPAL-NAME"].ToString();
        var id = request.Headers["X-MS-CLIENT-PRINCIPAL-ID"].ToString();
        var who = !string.IsNullOrWhiteSpace(name) ? name : id;
        if (string.IsNullOrWhiteSpace(who))
        {
            return null;
        }

        // An audit field, not a place for arbitrary text.
        who = new string(who.Where(c => !char.IsControl(c)).Take(256).ToArray());
        return who.Length == 0 ? null : who;
    }
}
