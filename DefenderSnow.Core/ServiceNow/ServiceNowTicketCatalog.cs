using System.Diagnostics.CodeAnalysis;

namespace DefenderSnow.Core.ServiceNow;

/// <summary>
/// The ticket tables of one integration, with the states, close codes and cancel and reopen values of its instance
/// (built from the integration's ticket type mappings). <see cref="OutOfBox"/> is the catalogue of an integration that
/// never read its instance: the three ITSM tables with their out-of-box values.
/// </summary>
public sealed class ServiceNowTicketCatalog
{
    public static ServiceNowTicketCatalog OutOfBox { get; } = new(ServiceNowTicketTables.All);

    public ServiceNowTicketCatalog(IReadOnlyList<ServiceNowTicketTable> tables)
    {
        Tables = tables;
    }

    /// <summary>The tables, in the integration's order; the incremental pass reads them in this order.</summary>
    public IReadOnlyList<ServiceNowTicketTable> Tables { get; }

    public bool TryGet(string? name, [NotNullWhen(true)] out ServiceNowTicketTable? table)
    {
        table = Tables.FirstOrDefault(t => t.Name == name);
        return table is not null;
    }

    public string Names => string.Join(", ", Tables.Select(t => t.Name));
}
