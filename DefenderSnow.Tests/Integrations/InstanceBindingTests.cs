using Azure.Data.Tables;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Core.Storage;
using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.Integrations;

/// <summary>
/// Issue 26 M3, "the table row steers the credentials": whoever may write the integrations table changed an
/// integration's instance URL to another allowed host, and the app sent it the client secret, the refresh token and the
/// password. The credentials are bound in Key Vault to the instance they were proven against, and checked first.
/// </summary>
[TestFixture]
public sealed class InstanceBindingTests
{
    private SyncTestContext _context = null!;
    private ServiceNowSimulator _elsewhere = null!;

    [OneTimeSetUp]
    public async Task StartAppAndAnotherInstance()
    {
        _context = await SyncTestContext.StartAsync();
        _elsewhere = await ServiceNowSimulator.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopThem()
    {
        await _elsewhere.DisposeAsync();
        await _context.Harness.DisposeAsync();
    }

    [SetUp]
    public void BeginTest()
    {
        _context.Harness.BeginTest();
        _elsewhere.ResetRequestCounts();
    }

    [TearDown]
    public Task NoSecretInLogsResponsesOrTables() => _context.Harness.AssertNoSecretInLogsResponsesOrTablesAsync();

    [Test]
    public async Task Creating_an_integration_binds_its_credentials_to_the_instance_they_were_proven_against()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();

        Assert.That(
            _context.App.KeyVault.GetValue(KeyVaultSecretName.For(integrationId, IntegrationSecret.InstanceBinding)),
            Is.EqualTo(InstanceBinding.ValueFor(integrationId, _context.App.ServiceNow.BaseUri)));
    }

    [Test]
    public async Task A_row_whose_instance_url_was_changed_in_table_storage_sends_no_credential_there_and_says_why()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        await TamperAsync(integrationId, _elsewhere.BaseUri);

        var run = await _context.Sync.SyncAsync(integrationId);
        var patched = await _context.Harness.UpdateAsync(integrationId, new { password = _context.Harness.Password });
        var integration = (await _context.Harness.GetAsync(integrationId)).Json;

        Assert.Multiple(() =>
        {
            Assert.That(_elsewhere.TotalRequests, Is.Zero, "the other host got nothing");
            Assert.That(_elsewhere.TokenRequests("password") + _elsewhere.TokenRequests("refresh_token"), Is.Zero);
            Assert.That(run["integrations"]![0]!["status"]!.GetValue<string>(), Is.EqualTo("credentialsRejected"), run.ToJsonString());
            Assert.That(run["integrations"]![0]!["note"]!.GetValue<string>(), Does.Contain("bound to another ServiceNow instance"));
            Assert.That(integration["statusDetail"]!.GetValue<string>(), Does.Contain("refused to send them"));
            Assert.That(patched.Status, Is.EqualTo(409), patched.ToString());
            Assert.That(patched.Json["title"]!.GetValue<string>(), Is.EqualTo("Credentials bound to another instance"));
            Assert.That(_context.App.Logs.AllText, Does.Contain("Refused to send the credentials of integration " + integrationId));
        });

        // Restored, the row works again with the credentials it always had.
        await TamperAsync(integrationId, _context.App.ServiceNow.BaseUri);
        var restored = await _context.Sync.SyncAsync(integrationId);
        Assert.That(restored["integrations"]![0]!["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), restored.ToJsonString());
    }

    [Test]
    public async Task Credentials_stored_before_bindings_are_sent_nowhere_until_both_are_updated_and_proven()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        // As an integration created before bindings existed: the binding never written (deleted, then purged, since a
        // soft-deleted name cannot be set again).
        await _context.App.Get<ISecretStore>().DeleteAsync(integrationId, IntegrationSecret.InstanceBinding, CancellationToken.None);
        _context.App.KeyVault.Purge(KeyVaultSecretName.For(integrationId, IntegrationSecret.InstanceBinding));
        _context.App.Get<Core.ServiceNow.IServiceNowTokenProvider>().Forget(integrationId);

        var unbound = await _context.Sync.SyncAsync(integrationId);
        var halfUpdate = await _context.Harness.UpdateAsync(integrationId, new { password = _context.Harness.Password });
        var fullUpdate = await _context.Harness.UpdateAsync(integrationId, new { password = _context.Harness.Password, clientSecret = _context.Harness.ClientSecret });
        var bound = await _context.Sync.SyncAsync(integrationId);

        Assert.Multiple(() =>
        {
            Assert.That(unbound["integrations"]![0]!["note"]!.GetValue<string>(), Does.Contain("bound to no instance"), unbound.ToJsonString());
            Assert.That(halfUpdate.Status, Is.EqualTo(409), "a stored secret would be reused: it is sent only to its bound instance");
            Assert.That(fullUpdate.Status, Is.EqualTo(200), fullUpdate.ToString());
            Assert.That(
                _context.App.KeyVault.GetValue(KeyVaultSecretName.For(integrationId, IntegrationSecret.InstanceBinding)),
                Is.EqualTo(InstanceBinding.ValueFor(integrationId, _context.App.ServiceNow.BaseUri)));
            Assert.That(bound["integrations"]![0]!["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), bound.ToJsonString());
        });
    }

    /// <summary>What someone with write access to the table (and none to Key Vault) does: the row's instance URL, nothing else.</summary>
    [Test]
    public async Task Deleting_an_integration_whose_row_names_another_instance_sends_its_refresh_token_nowhere()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var refreshToken = _context.App.KeyVault.GetValue(KeyVaultSecretName.For(integrationId, IntegrationSecret.RefreshToken))!;
        _context.Harness.RememberSecret(refreshToken);
        await TamperAsync(integrationId, _elsewhere.BaseUri);

        var deleted = await _context.Harness.DeleteAsync(integrationId);

        Assert.That(deleted.Status, Is.EqualTo(204), deleted.ToString());
        Assert.That(_elsewhere.TotalRequests, Is.Zero, "the other host got the refresh token to revoke");
        Assert.That(_context.App.Logs.AllText, Does.Contain("so the token is sent nowhere"));
    }

    private async Task TamperAsync(string integrationId, Uri instanceUrl)
    {
        var table = await _context.App.Get<TableClientProvider>().GetAsync(Table.Integrations, CancellationToken.None);
        var row = (await table.GetEntityAsync<TableEntity>("integrations", integrationId)).Value;
        row["InstanceUrl"] = instanceUrl.AbsoluteUri;
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge);
    }
}
