using System.Text;
using System.Text.Json;

namespace DefenderSnow.Tests.Security;

/// <summary>Builds <c>X-MS-CLIENT-PRINCIPAL</c> values the way App Service authentication writes them.</summary>
internal static class Principals
{
    public const string NameType = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name";
    public const string RoleType = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";

    public static string Header(string? name, params string[] roles)
    {
        var claims = new List<object>();
        if (name is not null)
        {
            claims.Add(new { typ = NameType, val = name });
        }

        claims.AddRange(roles.Select(r => new { typ = "roles", val = r }));
        claims.Add(new { typ = "aud", val = "api://defendersnow" });
        return Encode(new { auth_typ = "aad", claims, name_typ = NameType, role_typ = RoleType });
    }

    public static Dictionary<string, string> Headers(string? name, params string[] roles) => new()
    {
        ["X-MS-CLIENT-PRINCIPAL"] = Header(name, roles),
    };

    public static string Encode(object value) => Encode(JsonSerializer.Serialize(value));

    public static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
}
