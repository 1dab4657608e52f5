using DefenderSnow.Core.Secrets;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.Integrations;

/// <summary>
/// Issue 26 item 6: a refresh token DefenderSnow stops using is revoked at ServiceNow, not only deleted from Key Vault,
/// where it stayed valid for its whole lifespan in the hands of whoever had copied it. Revoking is best effort: it never
/// holds up the update or the deletion that made the token unused.
/// </summary>
[TestFixture]
public sealed class RefreshTokenRevocationTests
{
    private const string RevokeEndpoint = "GET /oauth_revoke_token.do";
    private SyncTestContext _context = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _context = await SyncTestContext.StartAsync();

    [OneTimeTearDown]
    public Task StopApp() => _context.Harness.DisposeAsync().AsTask();

    [SetUp]
    public void BeginTest() => _context.Harness.BeginTest();

    // The revoked token travels in the query string, as ServiceNow documents; no log line, answer or row may carry it.
    [TearDown]
    public Task NoSecretInLogsResponsesOrTables() => _context.Harness.AssertNoSecretInLogsResponsesOrTablesAsync();

    [Test]
    public async Task Deleting_an_integration_revokes_its_refresh_token_at_its_instance()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var refreshToken = StoredRefreshToken(integrationId);
        var revocationsBefore = _context.App.ServiceNow.RequestCount(RevokeEndpoint);

        var deleted = await _context.Harness.DeleteAsync(integrationId);

        Assert.That(deleted.Status, Is.EqualTo(204), deleted.ToString());
        Assert.That(_context.App.ServiceNow.IsRefreshTokenLive(refreshToken), Is.False, "the deleted integration's refresh token still works");
        Assert.That(_context.App.ServiceNow.RequestCount(RevokeEndpoint) - revocationsBefore, Is.EqualTo(1));
    }

    [Test]
    public async Task Replacing_the_credentials_revokes_the_replaced_refresh_token_and_the_new_one_keeps_working()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var replaced = StoredRefreshToken(integrationId);

        var patched = await _context.Harness.UpdateAsync(integrationId, new { password = _context.Harness.Password });
        var current = StoredRefreshToken(integrationId);
        var run = await _context.Sync.SyncAsync(integrationId);

        Assert.Multiple(() =>
        {
            Assert.That(patched.Status, Is.EqualTo(200), patched.ToString());
            Assert.That(current, Is.Not.EqualTo(replaced));
            Assert.That(_context.App.ServiceNow.IsRefreshTokenLive(replaced), Is.False, "the replaced refresh token still works");
            Assert.That(_context.App.ServiceNow.IsRefreshTokenLive(current), Is.True);
            Assert.That(run["integrations"]![0]!["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run.ToJsonString());
        });
    }

    [Test]
    public async Task An_instance_that_cannot_revoke_holds_up_neither_the_update_nor_the_deletion()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        _context.App.ServiceNow.Faults.FailNext(SimulatorFaults.Always, 500, RevokeEndpoint);
        try
        {
            var patched = await _context.Harness.UpdateAsync(integrationId, new { password = _context.Harness.Password });
            var refreshToken = StoredRefreshToken(integrationId);
            var deleted = await _context.Harness.DeleteAsync(integrationId);

            Assert.That(patched.Status, Is.EqualTo(200), patched.ToString());
            Assert.That(deleted.Status, Is.EqualTo(204), deleted.ToString());
            Assert.That((await _context.Harness.GetAsync(integrationId)).Status, Is.EqualTo(404));
            Assert.That(_context.App.ServiceNow.IsRefreshTokenLive(refreshToken), Is.True, "nothing revoked it, and the run did not pretend");
            Assert.That(_context.App.Logs.AllText, Does.Contain("did not revoke a refresh token no longer in use"));
        }
        finally
        {
            _context.App.ServiceNow.Faults.Clear();
        }
    }

    private string StoredRefreshToken(string integrationId)
    {
        var token = _context.App.KeyVault.GetValue(KeyVaultSecretName.For(integrationId, IntegrationSecret.RefreshToken))!;
        _context.Harness.RememberSecret(token);
        return token;
    }
}
