using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Access;

/// <summary>
/// The one check of an integration's access list (issue 26, H1). A caller that no entry names cannot tell the
/// integration from one that does not exist: it gets the same 404, so ids cannot be probed. A caller that is on the
/// list, but without a role that grants what it called, gets 403 naming that role: it already knows the
/// integration. Every service that loads something by id calls this once, right after the load.
/// </summary>
public sealed class IntegrationAccess
{
    private readonly IIntegrationStore _integrations;

    public IntegrationAccess(IIntegrationStore integrations)
    {
        _integrations = integrations;
    }

    /// <summary>Whether the caller may see the integration through the operation it called (lists keep only these).</summary>
    public static bool Allows(Integration integration, CallerAccess caller) =>
        caller.SeesAll || Matching(integration, caller).Any(e => e.Roles.Any(caller.Roles.Contains));

    /// <exception cref="NotFoundException">No entry names the caller; <paramref name="hidden"/> says what is not found.</exception>
    /// <exception cref="ForbiddenException">An entry names the caller, but with no role that grants the operation.</exception>
    public static void Require(Integration integration, CallerAccess caller, Func<NotFoundException> hidden)
    {
        if (caller.SeesAll)
        {
            return;
        }

        var entries = Matching(integration, caller).ToList();
        if (entries.Count == 0)
        {
            throw hidden();
        }

        if (!entries.Any(e => e.Roles.Any(caller.Roles.Contains)))
        {
            var role = caller.Roles.Order(StringComparer.Ordinal).FirstOrDefault() ?? "(none)";
            throw new ForbiddenException(role, $"The access list of integration '{integration.Id}' does not give you any of: {string.Join(", ", caller.Roles.Order(StringComparer.Ordinal).Select(r => $"'{r}'"))}.");
        }
    }

    /// <summary>
    /// Loads the integration something belongs to and checks the caller may reach it; null only when it no longer exists
    /// and the caller is one no list restricts (a restricted caller cannot be on the list of what does not exist).
    /// </summary>
    public async Task<Integration?> FindAsync(string integrationId, CallerAccess caller, Func<NotFoundException> hidden, CancellationToken cancellationToken)
    {
        var integration = (await _integrations.GetAsync(integrationId, cancellationToken).ConfigureAwait(false))?.Value;
        if (integration is null)
        {
            return caller.SeesAll ? null : throw hidden();
        }

        Require(integration, caller, hidden);
        return integration;
    }

    /// <summary>Loads the integration something belongs to and checks the caller may reach it.</summary>
    /// <param name="hidden">The answer when it does not exist or the caller is not on its list: the thing asked for is not found.</param>
    public async Task<Integration> RequireAsync(string integrationId, CallerAccess caller, Func<NotFoundException> hidden, CancellationToken cancellationToken)
    {
        var integration = (await _integrations.GetAsync(integrationId, cancellationToken).ConfigureAwait(false))?.Value ?? throw hidden();
        Require(integration, caller, hidden);
        return integration;
    }

    /// <summary>
    /// The ids of every integration the caller may reach, for filtering what spans integrations (sync runs); null for a
    /// caller no list restricts. One scan of the integrations, a small table, rather than a read per row.
    /// </summary>
    public async Task<IReadOnlySet<string>?> VisibleIdsAsync(CallerAccess caller, CancellationToken cancellationToken)
    {
        if (caller.SeesAll)
        {
            return null;
        }

        var visible = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await _integrations.ListAsync(null, TablePageSize.Default, token, cancellationToken).ConfigureAwait(false);
            visible.UnionWith(page.Items.Where(i => Allows(i, caller)).Select(i => i.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);
        return visible;
    }

    private static IEnumerable<AccessEntry> Matching(Integration integration, CallerAccess caller) =>
        integration.Access.Where(e => caller.PrincipalIds.Contains(CallerAccess.Fold(e.PrincipalId)));
}
