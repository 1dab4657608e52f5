using Azure.Storage.Queues.Models;
using DefenderSnow.Core.Storage;
using DefenderSnow.Functions.Integrations;
using DefenderSnow.Functions.Sync;
using DefenderSnow.Functions.TicketEvents;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Tests.Storage;

/// <summary>A message no delivery can handle is moved to the poison queue on its first delivery, with one Error line.</summary>
[TestFixture]
public sealed class MalformedQueueMessageTests
{
    private static readonly string[] Malformed = ["not json", """{"unexpected":"member"}"""];

    private TestApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await TestApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [Test]
    public async Task A_malformed_message_goes_to_the_poison_queue_at_its_first_delivery_and_is_logged_once(
        [Values] WorkQueue queue,
        [ValueSource(nameof(Malformed))] string text)
    {
        var id = Guid.NewGuid().ToString();
        var message = QueuesModelFactory.QueueMessage(id, "receipt", text, dequeueCount: 1);
        var before = await _app.Queues.PoisonAsync(queue);

        await DeliverAsync(queue, message);

        Assert.That(await _app.Queues.PoisonAsync(queue), Has.Count.EqualTo(before.Count + 1).And.Contains(text));
        var lines = _app.Logs.Entries.Where(e => e.Properties.Values.Contains(id)).ToList();
        Assert.That(lines, Has.Count.EqualTo(1));
        Assert.That(lines[0].Level, Is.EqualTo(LogLevel.Error));
        Assert.That(lines[0].Message, Does.Contain(queue.ToString()).And.Contain("-poison"));
    }

    private Task DeliverAsync(WorkQueue queue, QueueMessage message) => queue switch
    {
        WorkQueue.SyncIntegrations => _app.Function<SyncFunctions>().SyncIntegration(message, CancellationToken.None),
        WorkQueue.IntegrationDeletions => _app.Function<IntegrationFunctions>().CompleteDeletion(message, CancellationToken.None),
        WorkQueue.TicketEvents => _app.Function<TicketEventFunctions>().Apply(message, CancellationToken.None),
        _ => throw new ArgumentOutOfRangeException(nameof(queue), queue, "a queue without a trigger"),
    };
}
