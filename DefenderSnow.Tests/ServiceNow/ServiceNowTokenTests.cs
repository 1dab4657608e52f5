using DefenderSnow.Core.Secrets;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Simulators.ServiceNow;
using Microsoft.Extensions.Time.Testing;

namespace DefenderSnow.Tests.ServiceNow;

[TestFixture]
public sealed class ServiceNowTokenTests
{
    private const string IncidentRead = "GET /api/now/table/incident";

    [Test]
    public async Task First_call_uses_the_password_grant_stores_the_refresh_token_and_caches_the_access_token()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();

        await env.Client.FindByCorrelationIdAsync("incident", "a", CancellationToken.None);
        await env.Client.FindByCorrelationIdAsync("incident", "b", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(env.Simulator.TokenRequests("password"), Is.EqualTo(1));
            Assert.That(env.Simulator.RequestCount("POST /oauth_token.do"), Is.EqualTo(1));
            Assert.That(env.Simulator.RequestCount(IncidentRead), Is.EqualTo(2));
            Assert.That(env.Secrets.Peek(ServiceNowTestEnvironment.IntegrationId, IntegrationSecret.RefreshToken), Is.Not.Null.And.Not.Empty);
        });
    }

    [Test]
    public async Task Access_token_is_renewed_with_the_refresh_grant_ahead_of_expiry()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 8, 0, 0, TimeSpan.Zero));
        await using var env = await ServiceNowTestEnvironment.StartAsync(clock: clock);
        await env.Client.FindByCorrelationIdAsync("incident", "a", CancellationToken.None);

        // 1,800 s lifespan, 120 s margin: at 1,700 s the token is still valid on the instance but is renewed anyway.
        clock.Advance(TimeSpan.FromSeconds(1700));
        await env.Client.FindByCorrelationIdAsync("incident", "b", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(env.Simulator.TokenRequests("password"), Is.EqualTo(1));
            Assert.That(env.Simulator.TokenRequests("refresh_token"), Is.EqualTo(1));
            Assert.That(env.Simulator.RequestCount(IncidentRead), Is.EqualTo(2), "no request was refused with 401 first");
        });
    }

    [Test]
    public async Task A_rotated_refresh_token_is_written_back_and_used_next_time()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 8, 0, 0, TimeSpan.Zero));
        await using var env = await ServiceNowTestEnvironment.StartAsync(new ServiceNowSimulatorOptions { RefreshTokenRotation = RefreshTokenRotation.Rotate }, clock: clock);
        await env.Client.FindByCorrelationIdAsync("incident", "a", CancellationToken.None);
        var first = env.Secrets.Peek(ServiceNowTestEnvironment.IntegrationId, IntegrationSecret.RefreshToken);

        clock.Advance(TimeSpan.FromSeconds(1700));
        await env.Client.FindByCorrelationIdAsync("incident", "b", CancellationToken.None);
        var second = env.Secrets.Peek(ServiceNowTestEnvironment.IntegrationId, IntegrationSecret.RefreshToken);

        clock.Advance(TimeSpan.FromSeconds(1700));
        await env.Client.FindByCorrelationIdAsync("incident", "c", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.Not.EqualTo(first));
            Assert.That(env.Simulator.TokenRequests("refresh_token"), Is.EqualTo(2));
            Assert.That(env.Simulator.TokenRequests("password"), Is.EqualTo(1), "the rotated token worked, so the password was not needed again");
        });
    }

    [Test]
    public async Task A_refused_refresh_token_falls_back_to_the_stored_password()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 8, 0, 0, TimeSpan.Zero));
        var options = new ServiceNowSimulatorOptions { RefreshTokenLifespan = TimeSpan.FromSeconds(1000) };
        await using var env = await ServiceNowTestEnvironment.StartAsync(options, clock: clock);
        await env.Client.FindByCorrelationIdAsync("incident", "a", CancellationToken.None);
        var first = env.Secrets.Peek(ServiceNowTestEnvironment.IntegrationId, IntegrationSecret.RefreshToken);

        clock.Advance(TimeSpan.FromSeconds(1700));
        await env.Client.FindByCorrelationIdAsync("incident", "b", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(env.Simulator.TokenRequests("refresh_token"), Is.EqualTo(1));
            Assert.That(env.Simulator.TokenRequests("password"), Is.EqualTo(2));
            Assert.That(env.Secrets.Peek(ServiceNowTestEnvironment.IntegrationId, IntegrationSecret.RefreshToken), Is.Not.EqualTo(first));
        });
    }

    [Test]
    public async Task Concurrent_callers_share_one_renewal()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => env.Client.FindByCorrelationIdAsync("incident", $"c{i}", CancellationToken.None)));

        Assert.Multiple(() =>
        {
            Assert.That(env.Simulator.RequestCount("POST /oauth_token.do"), Is.EqualTo(1));
            Assert.That(env.Simulator.RequestCount(IncidentRead), Is.EqualTo(20));
        });
    }

    [Test]
    public async Task A_401_renews_once_and_retries_once()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        await env.Client.FindByCorrelationIdAsync("incident", "a", CancellationToken.None);

        env.Simulator.ExpireAccessTokens();
        await env.Client.FindByCorrelationIdAsync("incident", "b", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(env.Simulator.RequestCount(IncidentRead), Is.EqualTo(3));
            Assert.That(env.Simulator.TokenRequests("refresh_token"), Is.EqualTo(1));
            Assert.That(env.Simulator.TokenRequests("password"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_401_that_persists_after_renewal_is_an_error_not_a_loop()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        env.Simulator.Faults.UnauthorizedNext(50, "GET /api/now/table");

        var error = Assert.ThrowsAsync<ServiceNowRejectedException>(() => env.Client.FindByCorrelationIdAsync("incident", "a", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(401));
            Assert.That(error.Message, Does.Contain("User Not Authenticated"));
            Assert.That(env.Simulator.RequestCount(IncidentRead), Is.EqualTo(2));
            Assert.That(env.Simulator.RequestCount("POST /oauth_token.do"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Expiring_every_token_at_once_recovers_through_the_password()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        await env.Client.FindByCorrelationIdAsync("incident", "a", CancellationToken.None);

        env.Simulator.ExpireAllTokens();
        await env.Client.FindByCorrelationIdAsync("incident", "b", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(env.Simulator.TokenRequests("refresh_token"), Is.EqualTo(1));
            Assert.That(env.Simulator.TokenRequests("password"), Is.EqualTo(2));
            Assert.That(env.Simulator.RequestCount(IncidentRead), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task Forget_drops_the_cached_access_token()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        await env.Client.FindByCorrelationIdAsync("incident", "a", CancellationToken.None);

        env.Tokens.Forget(ServiceNowTestEnvironment.IntegrationId);
        await env.Client.FindByCorrelationIdAsync("incident", "b", CancellationToken.None);

        Assert.That(env.Simulator.RequestCount("POST /oauth_token.do"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_password_that_ServiceNow_refuses_is_a_rejection_without_the_password_in_it()
    {
        await using var env = await ServiceNowTestEnvironment.StartAsync();
        await env.Secrets.SetAsync(ServiceNowTestEnvironment.IntegrationId, IntegrationSecret.Password, "wrong-password-value", CancellationToken.None);

        var error = Assert.ThrowsAsync<ServiceNowRejectedException>(() => env.Client.FindByCorrelationIdAsync("incident", "a", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("access_denied"));
            Assert.That(error.Message, Does.Not.Contain("wrong-password-value").And.Not.Contain(ServiceNowTestEnvironment.ClientSecret));
            Assert.That(env.Simulator.RequestCount(IncidentRead), Is.Zero);
        });
    }
}
