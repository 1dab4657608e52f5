using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Integrations;

namespace DefenderSnow.Core.Access;

/// <summary>Reads the <c>access</c> member of a create or update into entries, or names every fault of it.</summary>
public static class AccessList
{
    /// <summary>Enough for the teams of one scope; the list is one table column, read on every call.</summary>
    public const int MaxEntries = 50;

    /// <exception cref="ValidationException">The list is too long, or an entry is not an object id with known roles.</exception>
    public static IReadOnlyList<AccessEntry> Parse(IReadOnlyList<AccessEntryRequest?> requested)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (requested.Count > MaxEntries)
        {
            errors["access"] = [$"Must have at most {MaxEntries} entries; grant a group instead of its members."];
        }

        var entries = new List<AccessEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < requested.Count && errors.Count == 0; i++)
        {
            var field = $"access[{i}]";
            var entry = requested[i];
            if (entry?.PrincipalId is null || !Guid.TryParseExact(entry.PrincipalId.Trim(), "D", out var id))
            {
                errors[$"{field}.principalId"] = ["Must be the Entra object id (a GUID) of a user, group or service principal."];
                continue;
            }

            var principalId = id.ToString("D");
            if (!seen.Add(principalId))
            {
                errors[$"{field}.principalId"] = [$"'{principalId}' is named twice; give one entry all its roles."];
                continue;
            }

            var roles = entry.Roles ?? [];
            if (roles.Count == 0 || roles.Any(r => r is null || !AccessRoles.All.Contains(r, StringComparer.Ordinal)))
            {
                errors[$"{field}.roles"] = [$"Must name one or more of: {string.Join(", ", AccessRoles.All.Select(r => $"'{r}'"))}."];
                continue;
            }

            entries.Add(new AccessEntry(principalId, roles.OfType<string>().Distinct(StringComparer.Ordinal).ToList()));
        }

        return errors.Count > 0 ? throw new ValidationException(errors) : entries;
    }

    /// <summary>
    /// The creator is put on the list with <see cref="AccessRoles.IntegrationsManage"/> when the list does not name it,
    /// so nobody creates an integration it then cannot reach.
    /// </summary>
    public static IReadOnlyList<AccessEntry> WithCreator(IReadOnlyList<AccessEntry> entries, CallerAccess creator) =>
        creator.ObjectId is not { } id || entries.Any(e => string.Equals(e.PrincipalId, id, StringComparison.OrdinalIgnoreCase))
            ? entries
            : [.. entries, new AccessEntry(id, [AccessRoles.IntegrationsManage])];
}
