using System.Text;
using System.Text.Json;

namespace DefenderSnow.Tests.Security;

/// <summary>Builds <c>X-MS-CLIENT-PRINCIPAL</c> values the way App Service authentication writes them.</summary>
internal static class Principals
{
    public const string NameType = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";
    public const string RoleType = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";

    public static string Header(string? name, params string[] roles) => Header(name, null, [], roles);

    /// <param name="objectId">The <c>oid</c> claim, as Entra ID writes it for a user or service principal.</param>
    /// <param name="groups">One <c>groups</c> claim per group object id.</param>
    public static string Header(string? name, string? objectId, IEnumerable<string> groups, params string[] roles)
    {
        var claims = new List<object>();
        if (name is not null)
        {
            claims.Add(new { typ = NameType, val = name });
        }

        if (objectId is not null)
        {
            claims.Add(new { typ = "http://schemas.microsoft.com/identity/claims/objectidentifier", val = objectId });
        }

        claims.AddRange(groups.Select(g => new { typ = "groups", val = g }));
        claims.AddRange(roles.Select(r => new { typ = "roles", val = r }));
        claims.Add(new { typ = "aud", val = "api://defendersnow" });
        return Encode(new { auth_typ = "aad", claims, name_typ = NameType, role_typ = RoleType });
    }

    public static Dictionary<string, string> Headers(string? name, params string[] roles) => new()
    {
        ["X-MS-CLIENT-PRINCIPAL"] = Header(name, roles),
    };

    /// <summary>The headers of a principal with an object id and groups, as access lists name them.</summary>
    public static Dictionary<string, string> Headers(string name, string objectId, IEnumerable<string> groups, params string[] roles) => new()
    {
        ["X-MS-CLIENT-PRINCIPAL"] = Header(name, objectId, groups, roles),
    };

    public static string Encode(object value) => Encode(JsonSerializer.Serialize(value));

    public static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
}
