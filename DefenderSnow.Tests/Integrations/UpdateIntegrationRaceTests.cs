using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Simulators.KeyVault;
using DefenderSnow.Simulators.ServiceNow;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Integrations;

/// <summary>
/// Updates that fail half-way or race a delete: the old state comes back, or the delete wins cleanly, and
/// the caller is told what happened in the API's words, never Key Vault's.
/// </summary>
public sealed class UpdateIntegrationRaceTests : IUsesHarness
{
    private const string SecondUser = "svc-defender-2";
    private IntegrationHarness _harness = null!;
    private IntegrationTestHooks _hooks = null!;

    private string SecondPassword { get; } = "Pw2-" + Guid.NewGuid().ToString("N");

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartAppWithHooksAndASecondUser()
    {
        _harness = await IntegrationHarness.StartAsync(configureServices: services => _hooks = IntegrationTestHooks.Install(services));
        _harness.App.ServiceNow.SeedUser(new ServiceNowSimulatorUser(SecondUser, "svc-defender-2@contoso.example", Password: SecondPassword));
        _harness.RememberSecret(SecondPassword);
    }

    [TearDown]
    public void ClearHooks()
    {
        _hooks.Reset();
    }

    [Test]
    public async Task An_update_that_races_a_delete_fails_and_leaves_the_deletion_marker()
    {
        var id = await _harness.CreateIntegrationAsync();
        StartDeleteBeforeTheUpdateWrites(id);

        var response = await _harness.UpdateAsync(id, new { name = "Renamed-" + id[..6] });

        Assert.That(response.Status, Is.EqualTo(409), response.ToString());
        var stored = await _harness.App.Get<IIntegrationStore>().GetAsync(id, CancellationToken.None);
        Assert.That(stored!.Value.DeletionStartedAt, Is.Not.Null, "the update must not clear the deletion marker");
        Assert.That(stored.Value.Name, Is.Not.EqualTo("Renamed-" + id[..6]));
    }

    [Test]
    public async Task New_credentials_refused_by_key_vault_after_some_were_written_put_the_old_secrets_back()
    {
        var id = await _harness.CreateIntegrationAsync();
        var refreshToken = _harness.App.KeyVault.GetValue(KeyVaultSecretName.For(id, IntegrationSecret.RefreshToken));
        RefuseWriteOf(IntegrationSecret.RefreshToken);

        var response = await _harness.UpdateAsync(id, new { username = SecondUser, password = SecondPassword });

        Assert.That(response.Status, Is.EqualTo(422), response.ToString());
        Assert.That(response.Json["detail"]!.GetValue<string>(), Does.Not.Contain(id), "no Key Vault secret name in the answer");
        Assert.That(_harness.App.KeyVault.GetValue(KeyVaultSecretName.For(id, IntegrationSecret.Password)), Is.EqualTo(_harness.Password), "the written password was put back");
        Assert.That(_harness.App.KeyVault.GetValue(KeyVaultSecretName.For(id, IntegrationSecret.RefreshToken)), Is.EqualTo(refreshToken));
        Assert.That((await _harness.GetAsync(id)).Json["username"]!.GetValue<string>(), Is.EqualTo(IntegrationHarness.ServiceUser));
    }

    [Test]
    public async Task A_secret_that_had_no_value_before_a_failed_update_has_none_after_it()
    {
        _hooks.SkipSet = IntegrationSecret.ClientSecret;
        var id = await _harness.CreateIntegrationAsync();
        _hooks.SkipSet = null;
        var clientSecretName = KeyVaultSecretName.For(id, IntegrationSecret.ClientSecret);
        Assert.That(_harness.App.KeyVault.SecretNames(), Has.None.EqualTo(clientSecretName), "set-up: the create left no client secret");
        RefuseWriteOf(IntegrationSecret.RefreshToken);

        var response = await _harness.UpdateAsync(id, new { clientSecret = _harness.ClientSecret });

        Assert.That(response.Status, Is.EqualTo(422), response.ToString());
        Assert.That(_harness.App.KeyVault.SecretNames(), Has.None.EqualTo(clientSecretName), "the client secret written by the failed update is removed again");
        Assert.That(_harness.App.KeyVault.GetValue(KeyVaultSecretName.For(id, IntegrationSecret.Password)), Is.EqualTo(_harness.Password));
    }

    [Test]
    public async Task A_credential_update_that_loses_to_a_delete_is_a_404_without_key_vault_words_and_brings_nothing_back()
    {
        var id = await _harness.CreateIntegrationAsync();
        _hooks.AfterVerify = async () =>
        {
            var deleted = await _harness.DeleteAsync(id);
            Assert.That(deleted.Status, Is.EqualTo(204), deleted.ToString());
        };

        var response = await _harness.UpdateAsync(id, new { username = SecondUser, password = SecondPassword });

        Assert.That(response.Status, Is.EqualTo(404), response.ToString());
        Assert.That(response.Body, Does.Not.Contain("Key Vault").And.Not.Contain("-password").And.Not.Contain("recoverable"));
        Assert.That(_harness.App.KeyVault.SecretNames().Where(n => n.Contains(id, StringComparison.Ordinal)), Is.Empty, "no secret of the deleted integration is live again");
        Assert.That((await _harness.GetAsync(id)).Status, Is.EqualTo(404));
    }

    [Test]
    public async Task A_credential_update_that_loses_to_a_delete_in_progress_is_a_409_and_leaves_nothing_it_wrote()
    {
        var id = await _harness.CreateIntegrationAsync();
        StartDeleteBeforeTheUpdateWrites(id);

        var response = await _harness.UpdateAsync(id, new { username = SecondUser, password = SecondPassword });

        Assert.That(response.Status, Is.EqualTo(409), response.ToString());
        Assert.That(response.Json["detail"]!.GetValue<string>(), Does.Contain("being deleted"));
        Assert.That(_harness.App.KeyVault.SecretNames(), Has.None.EqualTo(KeyVaultSecretName.For(id, IntegrationSecret.Password)), "the new password was removed, the old one not restored");
        Assert.That((await _harness.DeleteAsync(id)).Status, Is.EqualTo(204), "the repeated delete finishes");
    }

    /// <summary>A delete starts (its marker is set) between the update's read and its write.</summary>
    private void StartDeleteBeforeTheUpdateWrites(string id) =>
        _hooks.BeforeUpdate = async store =>
        {
            var current = await store.GetAsync(id, CancellationToken.None);
            await store.UpdateAsync(current! with { Value = current.Value with { DeletionStartedAt = DateTimeOffset.UtcNow } }, current.Value.Name, CancellationToken.None);
        };

    /// <summary>Key Vault refuses the write of <paramref name="secret"/> (403), after the writes before it went through.</summary>
    private void RefuseWriteOf(IntegrationSecret secret)
    {
        Func<IntegrationSecret, Task>? hook = null;
        hook = written =>
        {
            if (written == secret)
            {
                _harness.App.KeyVault.Faults.ForbidNext(1);
            }
            else
            {
                _hooks.BeforeSet = hook;
            }

            return Task.CompletedTask;
        };
        _hooks.BeforeSet = hook;
    }
}
