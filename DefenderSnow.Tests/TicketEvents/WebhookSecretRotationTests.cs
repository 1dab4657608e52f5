using DefenderSnow.Core.Secrets;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.TicketEvents;

/// <summary>Rotation: the new secret works at once, the old one for the grace period and not a second longer.</summary>
[TestFixture]
public sealed class WebhookSecretRotationTests : IUsesHarness
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private SyncTestContext _context = null!;
    private TicketEventDriver _events = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartAppWithATwoHourGracePeriod() => (_context, _events) = await TicketEventDriver.StartWithAppAsync(
        settings => settings["TicketEvents:SecretGracePeriod"] = "02:00:00",
        services => services.AddSingleton<TimeProvider>(_clock));

    [Test]
    public async Task Disabling_the_webhook_refuses_both_secrets_at_once_deletes_them_and_is_idempotent()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var body = TicketEventDriver.EventBody("incident", assignment.Ticket.SysId!, assignment.Id);
        var oldSecret = (await _events.EnableWebhookAsync(integrationId)).Json["secret"]!.GetValue<string>();
        var newSecret = (await _events.EnableWebhookAsync(integrationId)).Json["secret"]!.GetValue<string>();
        Assert.That((await _events.SendSignedAsync(integrationId, body, newSecret)).Status, Is.EqualTo(202), "accepted and cached before");

        Assert.That((await _events.DisableWebhookAsync(integrationId)).Status, Is.EqualTo(204));

        Assert.That((await _events.SendSignedAsync(integrationId, body, newSecret)).Status, Is.EqualTo(404), "refused as if ticket events were never on: the cached secret is forgotten");
        Assert.That((await _events.SendSignedAsync(integrationId, body, oldSecret)).Status, Is.EqualTo(404), "the previous one too, within its grace period");
        Assert.That(_context.App.KeyVault.GetValue(KeyVaultSecretName.For(integrationId, IntegrationSecret.WebhookSecret)), Is.Null);
        Assert.That(_context.App.KeyVault.GetValue(KeyVaultSecretName.For(integrationId, IntegrationSecret.PreviousWebhookSecret)), Is.Null);
        Assert.That((await _events.DisableWebhookAsync(integrationId)).Status, Is.EqualTo(204), "again: nothing to do, same answer");
        Assert.That((await _events.DisableWebhookAsync(Guid.NewGuid().ToString())).Status, Is.EqualTo(404));
    }

    [Test]
    public async Task The_old_secret_is_accepted_during_the_grace_period_and_refused_after_it()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var assignment = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var body = TicketEventDriver.EventBody("incident", assignment.Ticket.SysId!, assignment.Id);
        var first = await _events.EnableWebhookAsync(integrationId);
        Assert.That(first.Json["previousAcceptedUntil"], Is.Null, "nothing to rotate the first time");
        Assert.That(first.Headers.CacheControl.ToString(), Is.EqualTo("no-store"));
        var oldSecret = first.Json["secret"]!.GetValue<string>();
        Assert.That(Convert.FromBase64String(oldSecret.Replace('-', '+').Replace('_', '/') + "="), Has.Length.EqualTo(32), "256 random bits");

        var second = await _events.EnableWebhookAsync(integrationId);
        var newSecret = second.Json["secret"]!.GetValue<string>();
        Assert.That(newSecret, Is.Not.EqualTo(oldSecret));
        Assert.That(second.Json["previousAcceptedUntil"]!.GetValue<DateTimeOffset>(), Is.EqualTo(_clock.GetUtcNow().AddHours(2)).Within(TimeSpan.FromSeconds(1)));
        Assert.That(_context.App.KeyVault.GetValue(KeyVaultSecretName.For(integrationId, IntegrationSecret.WebhookSecret)), Is.EqualTo(newSecret));

        Assert.That((await _events.SendSignedAsync(integrationId, body, newSecret)).Status, Is.EqualTo(202));
        Assert.That((await _events.SendSignedAsync(integrationId, body, oldSecret)).Status, Is.EqualTo(202), "within the grace period");

        _clock.Advance(TimeSpan.FromHours(2));
        Assert.That((await _events.SendSignedAsync(integrationId, body, oldSecret)).Status, Is.EqualTo(401), "after the grace period");
        Assert.That((await _events.SendSignedAsync(integrationId, body, newSecret)).Status, Is.EqualTo(202));

        // A rotation within the grace period drops the oldest secret: only the one just replaced stays accepted.
        var third = await _events.EnableWebhookAsync(integrationId);
        Assert.That((await _events.SendSignedAsync(integrationId, body, newSecret)).Status, Is.EqualTo(202));
        Assert.That((await _events.SendSignedAsync(integrationId, body, oldSecret)).Status, Is.EqualTo(401));
        Assert.That((await _events.SendSignedAsync(integrationId, body, third.Json["secret"]!.GetValue<string>())).Status, Is.EqualTo(202));
    }

    [Test]
    public async Task The_secret_appears_in_no_other_response_log_or_row()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        await _events.EnableWebhookAsync(integrationId);
        await _events.EnableWebhookAsync(integrationId);

        // The teardown scans this test's logs, recorded responses and every table row for both secrets.
        var integration = await _context.Harness.GetAsync(integrationId);
        Assert.That(integration.Status, Is.EqualTo(200));
        Assert.That(integration.Json["webhookRotatedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(_clock.GetUtcNow()).Within(TimeSpan.FromSeconds(1)), "the integration says ticket events are on, and since when");
    }

    [Test]
    public async Task An_unknown_integration_gets_no_secret()
    {
        var off = await _context.Harness.GetAsync(await _context.Harness.CreateIntegrationAsync());
        Assert.That(off.Json.AsObject().ContainsKey("webhookRotatedAt") && off.Json["webhookRotatedAt"] is null, Is.True, "ticket events are off until enabled: " + off);

        var response = await _events.EnableWebhookAsync(Guid.NewGuid().ToString("N"));

        Assert.That(response.Status, Is.EqualTo(404), response.ToString());
    }
}
