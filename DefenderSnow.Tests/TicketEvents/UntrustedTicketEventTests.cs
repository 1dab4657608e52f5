using System.Globalization;
using System.Text;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Storage;
using DefenderSnow.Core.TicketEvents;
using DefenderSnow.Functions.TicketEvents;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.TicketEvents;

/// <summary>
/// Ticket events hold ServiceNow's data to the sync's rules: the event's correlation id is checked for our shape before
/// any lookup, and the ticket read back for it is applied only when its own correlation id is ours too, never failing
/// the message into the poison queue (issue 26, M1).
/// </summary>
[TestFixture]
public sealed class UntrustedTicketEventTests : IUsesHarness
{
    private static readonly string[] ChangedState = ["state"];
    private IntegrationHarness _harness = null!;
    private SyncDriver _sync = null!;
    private TicketEventFunctions _events = null!;

    private TestApp App => _harness.App;

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        var context = await SyncTestContext.StartAsync(settings => settings["TicketEvents:CollapseDelay"] = "00:00:00");
        (_harness, _sync) = (context.Harness, context.Sync);
        _events = App.Function<TicketEventFunctions>();
    }

    [TestCase("group-")]
    [TestCase("a/")]
    [TestCase("A")]
    public async Task A_signed_event_naming_a_correlation_id_we_never_write_is_400_and_queues_nothing(string prefix)
    {
        var (integrationId, secret) = await IntegrationWithWebhookAsync();
        var assignment = await _sync.CreateLiveAssignmentAsync(integrationId);
        var queued = await QueuedEventCountAsync();

        var response = await SendSignedAsync(integrationId, EventBody(assignment.Ticket.SysId!, prefix + assignment.Id), secret);

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(response.Json["errors"]!["correlation_id"], Is.Not.Null);
        Assert.That(await QueuedEventCountAsync(), Is.EqualTo(queued));
    }

    [Test]
    public async Task A_ticket_whose_correlation_id_a_user_changed_after_its_event_is_skipped_and_never_poisons_the_message()
    {
        var (integrationId, secret) = await IntegrationWithWebhookAsync();
        var assignment = await _sync.CreateLiveAssignmentAsync(integrationId);
        var accepted = await SendSignedAsync(integrationId, EventBody(assignment.Ticket.SysId!, assignment.Id), secret);
        Assert.That(accepted.Status, Is.EqualTo(202), accepted.ToString());

        // Before the worker reads the ticket, a ServiceNow user rewrites its correlation id and resolves it.
        App.ServiceNow.UpdateTicket("incident", assignment.Ticket.SysId!, new Dictionary<string, string> { ["correlation_id"] = "a/" + assignment.Id }, asUser: SyncDriver.OwnerA);
        App.ServiceNow.Resolve("incident", assignment.Ticket.SysId!, asUser: SyncDriver.OwnerA);
        var poisoned = (await App.Queues.PoisonAsync(WorkQueue.TicketEvents)).Count;

        var deliveries = await App.Queues.DrainAsync(WorkQueue.TicketEvents, m => _events.Apply(m, CancellationToken.None));

        var poisonedAfter = (await App.Queues.PoisonAsync(WorkQueue.TicketEvents)).Count;
        var stored = await _sync.StoredAsync(assignment);
        Assert.Multiple(() =>
        {
            Assert.That(deliveries, Is.EqualTo(1), "handled at its first delivery");
            Assert.That(poisonedAfter, Is.EqualTo(poisoned));
            Assert.That(stored.Status, Is.EqualTo(AssignmentStatus.Active), "a ticket that no longer names it is not applied to it");
            Assert.That(App.Logs.Lines.Where(l => l.Contains("never writes", StringComparison.Ordinal) && l.Contains(assignment.Ticket.Number!, StringComparison.Ordinal)), Is.Not.Empty, "the skip is logged with the ticket's number");
        });
    }

    private async Task<(string IntegrationId, string Secret)> IntegrationWithWebhookAsync()
    {
        var integrationId = await _harness.CreateIntegrationAsync();

        // The one answer that carries the secret is not kept for the scan; the secret is, so any other appearance fails.
        var enabled = await FunctionCall.InvokeAsync(
            FunctionCall.Request("POST", $"/api/integrations/{integrationId}/webhook"),
            r => _events.EnableWebhook(r, integrationId, CancellationToken.None));
        Assert.That(enabled.Status, Is.EqualTo(200), enabled.ToString());
        var secret = enabled.Json["secret"]!.GetValue<string>();
        _harness.RememberSecret(secret);
        return (integrationId, secret);
    }

    private static string EventBody(string sysId, string correlationId) =>
        FunctionCall.Json(new Dictionary<string, object?> { ["table"] = "incident", ["sys_id"] = sysId, ["correlation_id"] = correlationId, ["changed_fields"] = ChangedState });

    private Task<FunctionResponse> SendSignedAsync(string integrationId, string body, string secret)
    {
        var timestamp = App.Get<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
        var headers = new Dictionary<string, string>
        {
            [TicketEventSignature.TimestampHeader] = timestamp.ToString(CultureInfo.InvariantCulture),
            [TicketEventSignature.SignatureHeader] = TicketEventSignature.Sign(secret, timestamp, Encoding.UTF8.GetBytes(body)),
        };
        return _harness.Record(FunctionCall.InvokeAsync(
            FunctionCall.Request("POST", "/api/ticket-events/value0", body, headers),
            r => _events.Receive(r, integrationId, CancellationToken.None)));
    }

    private async Task<int> QueuedEventCountAsync()
    {
        var client = await App.Get<QueueClientProvider>().GetAsync(WorkQueue.TicketEvents, CancellationToken.None);
        return (await client.GetPropertiesAsync()).Value.ApproximateMessagesCount;
    }
}
