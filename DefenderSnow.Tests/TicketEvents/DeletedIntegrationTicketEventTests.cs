using Azure.Data.Tables;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.TicketEvents;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.TicketEvents;

/// <summary>
/// Deleting an integration leaves nothing of its ticket events behind: neither the webhook secrets held in memory
/// (secret material outliving the integration in every instance that received an event) nor the pending rows of
/// events still queued (rows nobody would ever clear).
/// </summary>
[TestFixture]
public sealed class DeletedIntegrationTicketEventTests : IUsesHarness
{
    private SyncTestContext _context = null!;
    private TicketEventDriver _events = null!;

    [OneTimeSetUp]
    public async Task StartAppAndListener()
    {
        _context = await SyncTestContext.StartAsync(TicketEventDriver.AdjustSettings);
        _events = await TicketEventDriver.StartAsync(_context.Harness);
    }

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [Test]
    public async Task Deleting_an_integration_forgets_its_cached_webhook_secrets()
    {
        var (integrationId, secret) = await _events.IntegrationWithEventsAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        await _events.DeliverEventMessagesAsync();
        var rotatedAt = (await _context.Harness.GetAsync(integrationId)).Json["webhookRotatedAt"]!.GetValue<DateTimeOffset>();
        var accepted = await _events.SendSignedAsync(integrationId, TicketEventDriver.EventBody("incident", assignment.Ticket.SysId!, assignment.Id), secret);
        Assert.That(accepted.Status, Is.EqualTo(202), accepted.ToString());
        var cache = _context.App.Get<WebhookSecretCache>();
        Assert.That(cache.TryGet(integrationId, rotatedAt, out _), Is.True, "the accepted event cached the secrets");

        var deleted = await _context.Harness.DeleteAsync(integrationId);

        Assert.That(deleted.Status, Is.EqualTo(204), deleted.ToString());
        Assert.That(cache.TryGet(integrationId, rotatedAt, out _), Is.False, "no copy of the secrets outlives the integration");
    }

    [Test]
    public async Task Deleting_an_integration_removes_its_pending_ticket_event_rows()
    {
        var (integrationId, secret) = await _events.IntegrationWithEventsAsync();
        var first = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var second = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        await _events.DeliverEventMessagesAsync();
        var (otherId, otherSecret) = await _events.IntegrationWithEventsAsync();
        var other = await _context.Sync.CreateLiveAssignmentAsync(otherId);
        await _events.DeliverEventMessagesAsync();

        // Three events wait in the queue (their collapse delay hides them), each with its pending row.
        _context.App.ServiceNow.SendTicketEventsTo(_events.EventsUri(integrationId), secret);
        _context.App.ServiceNow.UpdateTicket("incident", first.Ticket.SysId!, new Dictionary<string, string> { ["state"] = "2" });
        _context.App.ServiceNow.UpdateTicket("incident", second.Ticket.SysId!, new Dictionary<string, string> { ["state"] = "2" });
        _context.App.ServiceNow.SendTicketEventsTo(_events.EventsUri(otherId), otherSecret);
        _context.App.ServiceNow.UpdateTicket("incident", other.Ticket.SysId!, new Dictionary<string, string> { ["state"] = "2" });
        Assert.That(await PendingRowsAsync(integrationId), Is.EqualTo(2));
        Assert.That(await PendingRowsAsync(otherId), Is.EqualTo(1));

        var deleted = await _context.Harness.DeleteAsync(integrationId);

        Assert.That(deleted.Status, Is.EqualTo(204), deleted.ToString());
        Assert.That(await PendingRowsAsync(integrationId), Is.Zero, "the deleted integration's rows are gone");
        Assert.That(await PendingRowsAsync(otherId), Is.EqualTo(1), "another integration's stay");
        Assert.That(await _events.DeliverEventMessagesAsync(), Is.EqualTo(3), "the queued messages are still handled, the deleted integration's as no-ops");
        Assert.That(await PendingRowsAsync(otherId), Is.Zero);
    }

    private async Task<int> PendingRowsAsync(string integrationId)
    {
        var table = await _context.App.Get<TableClientProvider>().GetAsync(Table.PendingTicketEvents, CancellationToken.None);
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {integrationId}")))
        {
            count++;
        }

        return count;
    }
}
