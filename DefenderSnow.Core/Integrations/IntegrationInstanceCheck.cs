using System.Text.RegularExpressions;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.ServiceNow.Instance;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// The integration's ticket types against what its instance offers: which tables a request names, their mappings
/// resolved to the instance's values (422 for a value it does not have, nothing stored), and the refresh of both by
/// each full pass (a value that vanished is kept, with a warning, never a failure).
/// </summary>
public sealed partial class IntegrationInstanceCheck
{
    private const int MaxTicketTypes = 10;

    private readonly IServiceNowConnectionVerifier _verifier;
    private readonly IServiceNowClientFactory _clients;
    private readonly IIntegrationInstanceStore _store;
    private readonly ILogger<IntegrationInstanceCheck> _logger;

    public IntegrationInstanceCheck(IServiceNowConnectionVerifier verifier, IServiceNowClientFactory clients, IIntegrationInstanceStore store, ILogger<IntegrationInstanceCheck> logger)
    {
        _verifier = verifier;
        _clients = clients;
        _store = store;
        _logger = logger;
    }

    /// <summary>
    /// Proves new credentials (<see cref="IServiceNowConnectionVerifier"/>), which also reads the instance for the tables,
    /// and resolves the requested mappings against what it read. Nothing is stored.
    /// </summary>
    /// <exception cref="UnprocessableException">A table or value the instance does not have.</exception>
    public async Task<(ServiceNowVerifiedConnection Verified, IReadOnlyList<TicketTypeMapping> Mappings)> VerifyAsync(
        ServiceNowCredentials credentials, IReadOnlyDictionary<string, TicketTypeRequest?>? requested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var tables = credentials.TicketTables ?? Integration.DefaultTicketTypes.Select(t => t.Table).ToList();
        ServiceNowVerifiedConnection verified;
        try
        {
            verified = await _verifier.VerifyAsync(credentials with { TicketTables = tables }, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceNowRejectedException e) when (e.StatusCode == 400 && e.Table is { } table && tables.Contains(table) && requested?.ContainsKey(table) == true)
        {
            // The Table API answers 400 "Invalid table" for a table the instance does not have.
            throw new UnprocessableException($"ticketTypes.{table}", $"'{table}' is not a table of this ServiceNow instance ({e.Message}).");
        }

        var schema = verified.Instance ?? throw new InvalidOperationException("The verifier read nothing of the instance.");
        return (verified, Resolve(tables, requested, schema));
    }

    /// <summary>Reads the instance with the integration's stored credentials and resolves new ticket types against it (an update). Nothing is stored.</summary>
    /// <exception cref="UnprocessableException">A table or value the instance does not have.</exception>
    public async Task<(ServiceNowInstanceSchema Schema, IReadOnlyList<TicketTypeMapping> Mappings)> ReadAsync(
        Integration integration, IReadOnlyList<string> tables, IReadOnlyDictionary<string, TicketTypeRequest?>? requested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(integration);
        var client = _clients.Create(integration.ToConnection());
        var schema = await client.ReadInstanceAsync(tables, knownLineages: null, cancellationToken).ConfigureAwait(false);
        return (schema, Resolve(tables, requested, schema));
    }

    /// <summary>The tables a request's <c>ticketTypes</c> names (400 for a name no table can have); the defaults when it names none.</summary>
    internal static IReadOnlyList<string>? Tables(IntegrationValidation check, IReadOnlyDictionary<string, TicketTypeRequest?>? requested)
    {
        if (requested is null)
        {
            return null;
        }

        if (requested.Count is 0 or > MaxTicketTypes)
        {
            check.Add("ticketTypes", $"Name 1 to {MaxTicketTypes} ticket tables.");
            return null;
        }

        foreach (var name in requested.Keys.Where(n => !TableName().IsMatch(n)))
        {
            check.Add($"ticketTypes.{(name.Length > 64 ? name[..64] + "…" : name)}", "Must be a ServiceNow table name (lower-case letters, digits and _, starting with a letter).");
        }

        return [.. requested.Keys];
    }

    /// <summary>The mappings of <paramref name="tables"/> resolved against <paramref name="schema"/>.</summary>
    /// <exception cref="UnprocessableException">A table or value the instance does not have, naming the member and what the instance offers.</exception>
    public static IReadOnlyList<TicketTypeMapping> Resolve(
        IReadOnlyList<string> tables, IReadOnlyDictionary<string, TicketTypeRequest?>? requested, ServiceNowInstanceSchema schema)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var mappings = new List<TicketTypeMapping>();
        foreach (var table in tables)
        {
            var resolver = new TicketTypeResolver($"ticketTypes.{table}", errors);
            if (resolver.Resolve(table, requested?.GetValueOrDefault(table), schema.For(table)) is { } mapping)
            {
                mappings.Add(mapping with { Lineage = schema.For(table)?.Lineage ?? [] });
            }
        }

        if (errors.Count > 0)
        {
            throw new UnprocessableException(errors);
        }

        return mappings;
    }

    /// <summary>Keeps what was read (after the integration row exists).</summary>
    public Task SaveAsync(string integrationId, ServiceNowInstanceSchema schema, CancellationToken cancellationToken) =>
        _store.SaveAsync(integrationId, schema, cancellationToken);

    /// <summary>
    /// Reads the instance again through <paramref name="client"/> (a full pass) and checks the integration's mappings
    /// against it. A mapped value the instance no longer offers keeps the mapping as it was and says so in a warning.
    /// </summary>
    /// <returns>The integration with the refreshed mappings, warnings and read time (not yet stored).</returns>
    public async Task<Integration> RefreshAsync(IServiceNowClient client, Integration integration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(integration);
        var lineages = integration.TicketTypes.Where(t => t.Lineage.Count > 0).ToDictionary(t => t.Table, t => t.Lineage);
        var schema = await client.ReadInstanceAsync(integration.TicketTableNames, lineages, cancellationToken).ConfigureAwait(false);
        var warnings = new List<string>(schema.Warnings);
        var mappings = new List<TicketTypeMapping>();
        foreach (var current in integration.TicketTypes)
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var again = new TicketTypeResolver($"ticketTypes.{current.Table}", errors).Resolve(current.Table, AsRequest(current), schema.For(current.Table));
            if (again is null || errors.Count > 0)
            {
                warnings.AddRange(errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)} The stored value is kept; change the integration's ticket types."));
                mappings.Add(current);
                LogMappingStale(_logger, integration.Id, current.Table, errors.Count);
            }
            else
            {
                mappings.Add(again with { Lineage = schema.For(current.Table)?.Lineage ?? current.Lineage });
            }
        }

        await _store.SaveAsync(integration.Id, schema, cancellationToken).ConfigureAwait(false);
        return integration with { TicketTypes = mappings, Warnings = warnings, InstanceReadAt = schema.ReadAt };
    }

    /// <summary>A stored mapping as a request, so it is checked value by value (never replaced by a default).</summary>
    private static TicketTypeRequest AsRequest(TicketTypeMapping m) => new(
        ResolvedState: m.ResolvedState,
        CloseCode: m.CloseCode,
        CanceledState: m.CanceledState,
        ReopenState: m.ReopenState,
        ClosedStates: [.. m.ClosedStates],
        ResolveFrom: [.. m.ResolveFrom],
        CloseCodeField: m.CloseCodeField,
        CancelCode: m.CancelCode,
        NotesField: m.NotesField,
        RemovedCloseCode: m.RemovedCloseCode);

    [GeneratedRegex("^[a-z][a-z0-9_]{0,79}$", RegexOptions.CultureInvariant)]
    private static partial Regex TableName();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Integration {IntegrationId}: the instance no longer offers {Count} mapped values of {Table}; the stored mapping is kept")]
    private static partial void LogMappingStale(ILogger logger, string integrationId, string table, int count);
}
