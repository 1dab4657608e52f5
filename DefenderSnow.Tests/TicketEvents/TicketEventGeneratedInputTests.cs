using System.Text.Json.Nodes;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Security;
using DefenderSnow.Tests.Sync;
using FsCheck;
using FsCheck.Fluent;

namespace DefenderSnow.Tests.TicketEvents;

/// <summary>
/// The anonymous endpoint gets the generated hostile input every other HTTP function gets (GeneratedInputTests covers
/// the ones behind a function key): bodies derived from a valid event, and signed correctly, so they reach the parser
/// and the lookups, not just the signature check. No 5xx, every refusal is problem details (a 400 names a field), and
/// nothing is stored or queued: no generated body names a ticket with a live assignment.
/// </summary>
public sealed class TicketEventGeneratedInputTests : IUsesHarness
{
    private const ulong Seed = 20261128;
    private const int Runs = 200;

    private SyncTestContext _context = null!;
    private TicketEventDriver _events = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartAppAndListener() => (_context, _events) = await TicketEventDriver.StartWithAppAsync();

    [Test]
    public async Task Signed_hostile_events_are_refused_cleanly_and_change_nothing()
    {
        var (integrationId, secret) = await _events.IntegrationWithEventsAsync();
        _context.App.ServiceNow.SendTicketEventsTo(null);
        var seed = new JsonObject
        {
            ["table"] = "incident",
            ["sys_id"] = Guid.NewGuid().ToString("N"),
            ["correlation_id"] = AssignmentId.New(),
            ["changed_fields"] = new JsonArray("state", "assigned_to"),
        };
        var route = Gen.Frequency((6, Gen.Constant(integrationId)), (1, Gen.Constant(Guid.NewGuid().ToString("N"))), (1, GeneratedInput.NastyString));
        var cases = Arb.From(route.SelectMany(id => GeneratedInput.Body(seed).Select(body => (Id: id, Body: body ?? string.Empty))));
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(Runs)
            .WithReplay(new Replay(new Rnd(Seed, 0x9E3779B97F4A7C15UL | 1), Microsoft.FSharp.Core.FSharpOption<int>.None))
            .WithName($"ReceiveTicketEvent (seed {Seed})");

        Check.One(config, Prop.ForAll(cases, c => CheckAsync(c.Id, c.Body, secret).GetAwaiter().GetResult()));
    }

    private async Task<bool> CheckAsync(string integrationId, string body, string secret)
    {
        var before = await StateSnapshot.TakeAsync(_context.App);
        var response = await _events.SendSignedAsync(integrationId, body, secret);
        var shown = $"{response.Status} for id {integrationId} body {body}: {response.Body}";
        if (response.Status >= 500 || response.Status < 400)
        {
            throw new AssertionException(shown);
        }

        if (response.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) != true)
        {
            throw new AssertionException("no problem details: " + shown);
        }

        if (response.Status == 400 && response.Json["errors"] as JsonObject is not { Count: > 0 })
        {
            throw new AssertionException("a 400 naming no field: " + shown);
        }

        if (await StateSnapshot.TakeAsync(_context.App) != before || await _events.QueuedEventCountAsync() != 0)
        {
            throw new AssertionException("stored or queued something: " + shown);
        }

        return true;
    }
}
