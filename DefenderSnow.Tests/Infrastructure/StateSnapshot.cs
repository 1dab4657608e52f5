using System.Text;
using Azure.Data.Tables;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>
/// Everything the app has stored or written upstream: every row of its tables (with ETags, so any rewrite
/// shows), every Key Vault secret, live or deleted, with its versions, every ServiceNow ticket with its
/// modification count, and every Defender governance assignment. Two equal snapshots mean nothing was written.
/// </summary>
public static class StateSnapshot
{
    public static async Task<string> TakeAsync(TestApp app)
    {
        var text = new StringBuilder();
        var service = new TableServiceClient(await Azurite.GetConnectionStringAsync());
        await foreach (var table in service.QueryAsync(t => t.Name.CompareTo(app.TablePrefix) >= 0 && t.Name.CompareTo(app.TablePrefix + "~") < 0))
        {
            // Rows only: a table created empty on first use stores nothing.
            await foreach (var row in service.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                text.AppendLine($"{table.Name} {row.PartitionKey}/{row.RowKey} {row.ETag}");
            }
        }

        foreach (var name in app.KeyVault.SecretNames().Order())
        {
            text.AppendLine($"secret {name} versions={app.KeyVault.Versions(name).Count}");
        }

        foreach (var name in app.KeyVault.DeletedSecretNames().Order())
        {
            text.AppendLine($"deleted secret {name}");
        }

        foreach (var table in new[] { "incident", "problem", "change_request" })
        {
            foreach (var ticket in app.ServiceNow.ListTickets(table).OrderBy(t => t["sys_id"], StringComparer.Ordinal))
            {
                text.AppendLine($"ticket {table} {ticket["sys_id"]} mod={ticket.GetValueOrDefault("sys_mod_count")}");
            }
        }

        foreach (var governance in app.ResourceManager.State.GovernanceAssignments.Select(g => System.Text.Json.JsonSerializer.Serialize(g)).Order(StringComparer.Ordinal))
        {
            text.AppendLine($"governance {governance}");
        }

        return text.ToString();
    }
}
