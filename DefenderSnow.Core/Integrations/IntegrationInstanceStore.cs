using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using DefenderSnow.Core.ServiceNow.Instance;
using DefenderSnow.Core.Storage;

namespace DefenderSnow.Core.Integrations;

/// <summary>
/// What was last read from an integration's instance (<see cref="ServiceNowInstanceSchema"/>: every ticket table's
/// lineage, choices and fields with type, length, mandatory and read-only), kept next to the integration's row in the
/// integrations table, under its own partition so integration listings never see it. The integration row holds the
/// resolved mappings sync needs; this row is read only to check templates and custom fields against the instance.
/// </summary>
public interface IIntegrationInstanceStore
{
    Task SaveAsync(string integrationId, ServiceNowInstanceSchema schema, CancellationToken cancellationToken);

    Task<ServiceNowInstanceSchema?> GetAsync(string integrationId, CancellationToken cancellationToken);

    /// <summary>Removes the row; one that is already gone is no error.</summary>
    Task DeleteAsync(string integrationId, CancellationToken cancellationToken);
}

/// <inheritdoc />
internal sealed class IntegrationInstanceStore : IIntegrationInstanceStore
{
    public const string Partition = "instance";

    // Table Storage holds at most 64 KiB in one string property (32K UTF-16 characters) and 1 MiB in a row: a large
    // dictionary (hundreds of u_ fields) is cut into parts of 30,000 characters, at most 15 of them.
    private const int PartLength = 30_000;
    private const int MaxParts = 15;

    private readonly TableClientProvider _tables;

    public IntegrationInstanceStore(TableClientProvider tables)
    {
        _tables = tables;
    }

    public async Task SaveAsync(string integrationId, ServiceNowInstanceSchema schema, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(schema);
        var entity = new TableEntity(Partition, integrationId) { ["Kind"] = Partition };
        var parts = (json.Length + PartLength - 1) / PartLength;
        if (parts > MaxParts)
        {
            // Too large to keep whole: the fields are dropped (templates are then unchecked), the choices kept.
            json = JsonSerializer.Serialize(schema with
            {
                Tables = schema.Tables.ToDictionary(t => t.Key, t => t.Value with { Fields = null }),
                Warnings = [.. schema.Warnings, "The instance's dictionary was too large to keep; fields are unchecked."],
            });
            parts = Math.Min(MaxParts, (json.Length + PartLength - 1) / PartLength);
        }

        for (var i = 0; i < parts; i++)
        {
            entity[$"Part{i}"] = json.Substring(i * PartLength, Math.Min(PartLength, json.Length - (i * PartLength)));
        }

        entity["Parts"] = parts;
        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ServiceNowInstanceSchema?> GetAsync(string integrationId, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, integrationId, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!row.HasValue)
        {
            return null;
        }

        var entity = row.Value!;
        var json = new StringBuilder();
        for (var i = 0; i < (entity.GetInt32("Parts") ?? 0); i++)
        {
            json.Append(entity.GetString($"Part{i}"));
        }

        try
        {
            return JsonSerializer.Deserialize<ServiceNowInstanceSchema>(json.ToString());
        }
        catch (JsonException e)
        {
            throw new CorruptRowException(Table.Integrations.ToString(), Partition, integrationId, "the instance's choices and fields are not valid JSON", e);
        }
    }

    public async Task DeleteAsync(string integrationId, CancellationToken cancellationToken)
    {
        var table = await _tables.GetAsync(Table.Integrations, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.DeleteEntityAsync(Partition, integrationId, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == TableErrors.NotFound)
        {
            // Already gone.
        }
    }
}
