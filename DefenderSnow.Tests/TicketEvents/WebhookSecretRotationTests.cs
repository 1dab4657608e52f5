using DefenderSnow.Core.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.TicketEvents;

/// <summary>Rotation: the new secret works at once, the old one for the grace period and not a second longer.</summary>
[TestFixture]
public sealed class WebhookSecretRotationTests : TicketEventTestBase
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Test]
    public async Task The_old_secret_is_accepted_during_the_grace_period_and_refused_after_it()
    {
        var integrationId = await CreateIntegrationAsync();
        var assignment = await CreateLiveAssignmentAsync(integrationId);
        var body = EventBody("incident", assignment.Ticket.SysId!, assignment.Id);
        var first = await EnableWebhookAsync(integrationId);
        Assert.That(first.Json["previousAcceptedUntil"], Is.Null, "nothing to rotate the first time");
        Assert.That(first.Headers.CacheControl.ToString(), Is.EqualTo("no-store"));
        var oldSecret = first.Json["secret"]!.GetValue<string>();
        Assert.That(Convert.FromBase64String(oldSecret.Replace('-', '+').Replace('_', '/') + "="), Has.Length.EqualTo(32), "256 random bits");

        var second = await EnableWebhookAsync(integrationId);
        var newSecret = second.Json["secret"]!.GetValue<string>();
        Assert.That(newSecret, Is.Not.EqualTo(oldSecret));
        Assert.That(second.Json["previousAcceptedUntil"]!.GetValue<DateTimeOffset>(), Is.EqualTo(_clock.GetUtcNow().AddHours(2)).Within(TimeSpan.FromSeconds(1)));
        Assert.That(App.KeyVault.GetValue(KeyVaultSecretName.For(integrationId, IntegrationSecret.WebhookSecret)), Is.EqualTo(newSecret));

        Assert.That((await SendSignedAsync(integrationId, body, newSecret)).Status, Is.EqualTo(202));
        Assert.That((await SendSignedAsync(integrationId, body, oldSecret)).Status, Is.EqualTo(202), "within the grace period");

        _clock.Advance(TimeSpan.FromHours(2));
        Assert.That((await SendSignedAsync(integrationId, body, oldSecret)).Status, Is.EqualTo(401), "after the grace period");
        Assert.That((await SendSignedAsync(integrationId, body, newSecret)).Status, Is.EqualTo(202));

        // A rotation within the grace period drops the oldest secret: only the one just replaced stays accepted.
        var third = await EnableWebhookAsync(integrationId);
        Assert.That((await SendSignedAsync(integrationId, body, newSecret)).Status, Is.EqualTo(202));
        Assert.That((await SendSignedAsync(integrationId, body, oldSecret)).Status, Is.EqualTo(401));
        Assert.That((await SendSignedAsync(integrationId, body, third.Json["secret"]!.GetValue<string>())).Status, Is.EqualTo(202));
    }

    [Test]
    public async Task The_secret_appears_in_no_other_response_log_or_row()
    {
        var integrationId = await CreateIntegrationAsync();
        await EnableWebhookAsync(integrationId);
        await EnableWebhookAsync(integrationId);

        // The teardown scans this test's logs, recorded responses and every table row for both secrets.
        var integration = await GetAsync(integrationId);
        Assert.That(integration.Status, Is.EqualTo(200));
        Assert.That(integration.Json["webhookRotatedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(_clock.GetUtcNow()).Within(TimeSpan.FromSeconds(1)), "the integration says ticket events are on, and since when");
    }

    [Test]
    public async Task An_unknown_integration_gets_no_secret()
    {
        var off = await GetAsync(await CreateIntegrationAsync());
        Assert.That(off.Json.AsObject().ContainsKey("webhookRotatedAt") && off.Json["webhookRotatedAt"] is null, Is.True, "ticket events are off until enabled: " + off);

        var response = await EnableWebhookAsync(Guid.NewGuid().ToString("N"));

        Assert.That(response.Status, Is.EqualTo(404), response.ToString());
    }

    protected override void AdjustSettings(Dictionary<string, string?> settings)
    {
        base.AdjustSettings(settings);
        settings["TicketEvents:SecretGracePeriod"] = "02:00:00";
    }

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(_clock);
}
