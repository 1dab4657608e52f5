using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace DefenderSnow.Functions.Security;

/// <summary>
/// The caller as App Service authentication describes it in <c>X-MS-CLIENT-PRINCIPAL</c>: base64 of
/// <c>{"auth_typ":…,"name_typ":…,"role_typ":…,"claims":[{"typ":…,"val":…}]}</c>.
/// </summary>
public sealed record ClientPrincipal(string? Name, IReadOnlySet<string> Roles)
{
    /// <summary>The caller's Entra object id (<c>oid</c>), for a user or a service principal alike.</summary>
    public string? ObjectId { get; init; }

    /// <summary>
    /// The object ids of the caller's groups (<c>groups</c> claims). A user in more groups than a token carries gets
    /// an overage claim instead and none here: only its own id and the groups present count (README, Security).
    /// </summary>
    public IReadOnlySet<string> Groups { get; init; } = new HashSet<string>();

    public const string HeaderName = "X-MS-CLIENT-PRINCIPAL";

    /// <summary>Real principals are a few kilobytes; anything far larger is refused before it is decoded.</summary>
    public const int MaxHeaderLength = 16 * 1024;

    private const string RoleClaimUri = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
    private const int MaxNameLength = 256;
    private const string ObjectIdClaimUri = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    // Where Entra ID puts a name: the declared name type first, then the usual claims, and for a
    // service principal (client credentials, no name) its application or object id.
    private static readonly string[] NameClaims =
    [
        "name", "preferred_username", "upn", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        "appid", "azp", "oid", "http://schemas.microsoft.com/identity/claims/objectidentifier",
    ];

    private static readonly JsonDocumentOptions Json = new() { MaxDepth = 8 };

    /// <summary>Reads the header's value; <c>false</c> for anything that is not a well-formed principal with claims.</summary>
    public static bool TryParse(string? header, [NotNullWhen(true)] out ClientPrincipal? principal)
    {
        principal = null;
        if (string.IsNullOrWhiteSpace(header) || header.Length > MaxHeaderLength)
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(header.Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes, Json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("claims", out var claims)
                || claims.ValueKind != JsonValueKind.Array
                || claims.GetArrayLength() == 0)
            {
                return false;
            }

            var nameType = StringMember(root, "name_typ");
            var roleType = StringMember(root, "role_typ");
            var roles = new HashSet<string>(StringComparer.Ordinal);
            var values = new List<(string Type, string Value)>();
            foreach (var claim in claims.EnumerateArray())
            {
                var type = claim.ValueKind == JsonValueKind.Object ? StringMember(claim, "typ") : null;
                var value = claim.ValueKind == JsonValueKind.Object ? StringMember(claim, "val") : null;
                if (type is null || value is null)
                {
                    return false;
                }

                values.Add((type, value));
                if (type == roleType || type is "roles" or RoleClaimUri)
                {
                    roles.Add(value);
                }
            }

            // Object ids are GUIDs; anything else in these claims is not an Entra id and reaches no access list.
            principal = new ClientPrincipal(NameFrom(values, nameType), roles)
            {
                ObjectId = values.Where(c => c.Type is "oid" or ObjectIdClaimUri).Select(c => c.Value).FirstOrDefault(IsObjectId),
                Groups = values.Where(c => c.Type == "groups" && IsObjectId(c.Value)).Select(c => c.Value).ToHashSet(StringComparer.OrdinalIgnoreCase),
            };
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsObjectId(string value) => Guid.TryParseExact(value, "D", out _);

    private static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? NameFrom(List<(string Type, string Value)> claims, string? nameType)
    {
        foreach (var type in (nameType is null ? NameClaims : NameClaims.Prepend(nameType)))
        {
            var value = claims.FirstOrDefault(c => c.Type == type && !string.IsNullOrWhiteSpace(c.Value)).Value;
            var clean = value is null ? null : Clean(value);
            if (!string.IsNullOrEmpty(clean))
            {
                return clean;
            }
        }

        return null;
    }

    /// <summary>The name is recorded as createdBy/updatedBy: an audit field, not a place for arbitrary text.</summary>
    internal static string Clean(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, MaxNameLength));
        foreach (var c in value.Where(c => !char.IsControl(c)).Take(MaxNameLength))
        {
            builder.Append(c);
        }

        return builder.ToString().Trim();
    }
}
