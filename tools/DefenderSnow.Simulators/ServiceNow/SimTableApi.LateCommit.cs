using Microsoft.AspNetCore.Http;

namespace DefenderSnow.Simulators.ServiceNow;

internal sealed partial class SimTableApi
{
    /// <summary>
    /// Checks a create as <see cref="HandleAsync"/> would and returns the insert to run later, or the error to answer now.
    /// </summary>
    public async Task<(Action? Commit, SimResponse? Error)> PrepareCreateAsync(HttpContext context, string table)
    {
        var user = _oauth.Authenticate(context.Request.Headers.Authorization.ToString());
        if (user is null)
        {
            return (null, SimResponse.NotAuthenticated());
        }

        if (!SimTables.All.ContainsKey(table))
        {
            return (null, SimResponse.Error(400, $"Invalid table {table}", null));
        }

        var (values, error) = await ReadBodyAsync(context);
        if (error is not null)
        {
            return (null, error);
        }

        return (() => _database.Insert(table, values!, user), null);
    }
}
