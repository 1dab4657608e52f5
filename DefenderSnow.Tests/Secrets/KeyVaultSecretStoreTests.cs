using System.Diagnostics.CodeAnalysis;
using Azure.Core;
using Azure.Identity;
using DefenderSnow.Core.Errors;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Simulators.KeyVault;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Secrets;

/// <summary>The store as the app resolves it, against the Key Vault double over HTTPS.</summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Each test's logger provider is disposed by [TearDown], which the rule does not see.")]
public class KeyVaultSecretStoreTests
{
    private static readonly int[] ThrottledTwiceThenStored = [429, 429, 200];

    private const string IntegrationId = "0f8fad5bd9cb469fa16570867728950e";
    private const string Value = "pa$$w0rd-ÿ-\"quoted\"-7f3c9e";
    private KeyVaultSimulator _simulator = null!;
    private ServiceProvider _services = null!;
    private CapturingLoggerProvider _logs = null!;
    private ISecretStore _store = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _simulator = await KeyVaultTestEnvironment.StartSimulatorAsync();
        _logs = new CapturingLoggerProvider();
        _services = KeyVaultTestEnvironment.BuildServices(_simulator.BaseUri, logs: _logs);
        _store = _services.GetRequiredService<ISecretStore>();
    }

    [TearDown]
    public async Task StopAsync()
    {
        await _services.DisposeAsync();
        await _simulator.DisposeAsync();
        _logs.Dispose();
    }

    [Test]
    public async Task A_stored_secret_reads_back_under_its_derived_name_with_helpful_tags()
    {
        await _store.SetAsync(IntegrationId, IntegrationSecret.ClientSecret, Value, CancellationToken.None);

        Assert.That(await _store.GetAsync(IntegrationId, IntegrationSecret.ClientSecret, CancellationToken.None), Is.EqualTo(Value));
        var name = $"snow-{IntegrationId}-client-secret";
        Assert.That(_simulator.SecretNames(), Is.EqualTo(new[] { name }));
        Assert.That(_simulator.GetValue(name), Is.EqualTo(Value));
        var (contentType, tags) = _simulator.Properties(name)!.Value;
        Assert.That(tags, Is.EqualTo(new Dictionary<string, string>
        {
            ["integrationId"] = IntegrationId,
            ["kind"] = "client-secret",
            ["managedBy"] = "DefenderSnow",
        }));
        Assert.That(contentType, Does.Contain("client secret"));
    }

    [Test]
    public async Task Each_kind_is_its_own_secret()
    {
        await _store.SetAsync(IntegrationId, IntegrationSecret.Password, "p", CancellationToken.None);
        await _store.SetAsync(IntegrationId, IntegrationSecret.ClientSecret, "c", CancellationToken.None);
        await _store.SetAsync(IntegrationId, IntegrationSecret.RefreshToken, "r", CancellationToken.None);

        Assert.That(await _store.GetAsync(IntegrationId, IntegrationSecret.Password, CancellationToken.None), Is.EqualTo("p"));
        Assert.That(await _store.GetAsync(IntegrationId, IntegrationSecret.ClientSecret, CancellationToken.None), Is.EqualTo("c"));
        Assert.That(await _store.GetAsync(IntegrationId, IntegrationSecret.RefreshToken, CancellationToken.None), Is.EqualTo("r"));
        Assert.That(_simulator.SecretNames(), Has.Count.EqualTo(3));
    }

    [Test]
    public async Task Setting_again_rotates_to_a_new_version()
    {
        await _store.SetAsync(IntegrationId, IntegrationSecret.RefreshToken, "first", CancellationToken.None);
        await _store.SetAsync(IntegrationId, IntegrationSecret.RefreshToken, "second", CancellationToken.None);

        Assert.That(await _store.GetAsync(IntegrationId, IntegrationSecret.RefreshToken, CancellationToken.None), Is.EqualTo("second"));
        var name = KeyVaultSecretName.For(IntegrationId, IntegrationSecret.RefreshToken);
        Assert.That(_simulator.Versions(name), Has.Count.EqualTo(2));
        Assert.That(_simulator.GetValue(name, _simulator.Versions(name)[0]), Is.EqualTo("first"));
    }

    [Test]
    public async Task Replacing_a_secret_disables_the_version_it_replaced_so_only_the_current_value_reads()
    {
        await _store.SetAsync(IntegrationId, IntegrationSecret.ClientSecret, "leaked", CancellationToken.None);
        await _store.SetAsync(IntegrationId, IntegrationSecret.ClientSecret, "second", CancellationToken.None);
        await _store.SetAsync(IntegrationId, IntegrationSecret.ClientSecret, "third", CancellationToken.None);

        var name = KeyVaultSecretName.For(IntegrationId, IntegrationSecret.ClientSecret);
        var versions = _simulator.Versions(name);
        Assert.That(versions, Has.Count.EqualTo(3));
        Assert.That(_simulator.EnabledVersions(name), Is.EqualTo(new[] { versions[2] }));
        Assert.That(await _store.GetAsync(IntegrationId, IntegrationSecret.ClientSecret, CancellationToken.None), Is.EqualTo("third"));
        var client = KeyVaultTestEnvironment.CreateClient(_simulator.BaseUri);
        var refused = Assert.ThrowsAsync<Azure.RequestFailedException>(() => client.GetSecretAsync(name, versions[0]))!;
        Assert.That(refused.Status, Is.EqualTo(403));
        var (_, tags) = _simulator.Properties(name)!.Value;
        Assert.That(tags!["managedBy"], Is.EqualTo("DefenderSnow"));
    }

    [Test]
    public async Task A_first_write_disables_nothing()
    {
        await _store.SetAsync(IntegrationId, IntegrationSecret.Password, Value, CancellationToken.None);

        Assert.That(_simulator.Requests.Count(r => r.Method == "PATCH"), Is.Zero);
        Assert.That(_simulator.EnabledVersions(KeyVaultSecretName.For(IntegrationId, IntegrationSecret.Password)), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_replaced_version_that_cannot_be_disabled_keeps_the_new_value_and_says_so()
    {
        await _store.SetAsync(IntegrationId, IntegrationSecret.RefreshToken, "old", CancellationToken.None);
        _simulator.Faults.ForbidNext(SimulatorFaults.Always, "PATCH /secrets");

        await _store.SetAsync(IntegrationId, IntegrationSecret.RefreshToken, "new", CancellationToken.None);

        Assert.That(await _store.GetAsync(IntegrationId, IntegrationSecret.RefreshToken, CancellationToken.None), Is.EqualTo("new"));
        Assert.That(_simulator.EnabledVersions(KeyVaultSecretName.For(IntegrationId, IntegrationSecret.RefreshToken)), Has.Count.EqualTo(2));
        Assert.That(_logs.Entries.Any(e => e.Message.StartsWith("Disabling the replaced version", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public async Task A_missing_secret_reads_as_null()
    {
        Assert.That(await _store.GetAsync(IntegrationId, IntegrationSecret.Password, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Delete_soft_deletes_and_is_idempotent()
    {
        await _store.SetAsync(IntegrationId, IntegrationSecret.Password, Value, CancellationToken.None);

        await _store.DeleteAsync(IntegrationId, IntegrationSecret.Password, CancellationToken.None);
        await _store.DeleteAsync(IntegrationId, IntegrationSecret.Password, CancellationToken.None);
        await _store.DeleteAsync(IntegrationId, IntegrationSecret.RefreshToken, CancellationToken.None);

        Assert.That(_simulator.SecretNames(), Is.Empty);
        Assert.That(_simulator.DeletedSecretNames(), Is.EqualTo(new[] { KeyVaultSecretName.For(IntegrationId, IntegrationSecret.Password) }));
        Assert.That(await _store.GetAsync(IntegrationId, IntegrationSecret.Password, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Reusing_a_deleted_name_is_rejected_with_Key_Vaults_conflict()
    {
        await _store.SetAsync(IntegrationId, IntegrationSecret.Password, "old", CancellationToken.None);
        await _store.DeleteAsync(IntegrationId, IntegrationSecret.Password, CancellationToken.None);

        var error = Assert.ThrowsAsync<KeyVaultRejectedException>(() =>
            _store.SetAsync(IntegrationId, IntegrationSecret.Password, Value, CancellationToken.None))!;

        Assert.That(error.System, Is.EqualTo("Key Vault"));
        Assert.That(error.StatusCode, Is.EqualTo(409));
        Assert.That(error.Code, Is.EqualTo("Conflict"));
        // The message reaches API callers: Key Vault's own words (naming the secret) stay in the log.
        Assert.That(error.Message, Does.Not.Contain("recoverable").And.Not.Contain(KeyVaultSecretName.For(IntegrationId, IntegrationSecret.Password)));
        Assert.That(error.ToString(), Does.Not.Contain(Value));
    }

    [TestCase("not-an-id")]
    [TestCase("0f8fad5b-d9cb-469f-a165-70867728950e")]
    [TestCase("0f8fad5bd9cb469fa16570867728950e/../x")]
    public void An_invalid_integration_id_is_refused_before_anything_is_sent(string integrationId)
    {
        Assert.ThrowsAsync<ArgumentException>(() => _store.SetAsync(integrationId, IntegrationSecret.Password, Value, CancellationToken.None));
        Assert.ThrowsAsync<ArgumentException>(() => _store.GetAsync(integrationId, IntegrationSecret.Password, CancellationToken.None));
        Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(integrationId, IntegrationSecret.Password, CancellationToken.None));

        Assert.That(_simulator.RequestCount, Is.Zero);
    }

    [Test]
    public void A_value_Key_Vault_refuses_is_rejected_without_echoing_it()
    {
        var tooLarge = "secret-" + new string('x', 25_600);

        var error = Assert.ThrowsAsync<KeyVaultRejectedException>(() =>
            _store.SetAsync(IntegrationId, IntegrationSecret.Password, tooLarge, CancellationToken.None))!;

        Assert.That(error.StatusCode, Is.EqualTo(400));
        Assert.That(error.Code, Is.EqualTo("BadParameter"));
        Assert.That(error.ToString(), Does.Not.Contain("secret-xxx"));
        Assert.That(_simulator.SecretNames(), Is.Empty);
    }

    [TestCase(KeyVaultTestFault.Throttled)]
    [TestCase(KeyVaultTestFault.ServiceUnavailable)]
    [TestCase(KeyVaultTestFault.Down)]
    public async Task A_vault_that_keeps_failing_is_unreachable_after_the_retries(KeyVaultTestFault fault)
    {
        await _store.GetAsync(IntegrationId, IntegrationSecret.Password, CancellationToken.None);
        _simulator.ClearRequests();
        KeyVaultTestEnvironment.InjectPersistent(_simulator, fault);

        var error = Assert.ThrowsAsync<KeyVaultUnreachableException>(() =>
            _store.SetAsync(IntegrationId, IntegrationSecret.Password, Value, CancellationToken.None))!;

        Assert.That(error.System, Is.EqualTo("Key Vault"));
        Assert.That(_simulator.RequestCount, Is.EqualTo(KeyVaultTestEnvironment.MaxRetries + 1));
        Assert.That(error.ToString(), Does.Not.Contain(Value));
    }

    [Test]
    public void A_credential_that_cannot_issue_a_token_makes_key_vault_unreachable_not_a_refusal()
    {
        // The app's own identity getting no token is the app unable to reach Key Vault (502), as for Resource Manager;
        // nothing the caller sent was refused.
        using var services = KeyVaultTestEnvironment.BuildServices(_simulator.BaseUri, credential: new NoTokenCredential());

        var error = Assert.ThrowsAsync<KeyVaultUnreachableException>(() =>
            services.GetRequiredService<ISecretStore>().GetAsync(IntegrationId, IntegrationSecret.Password, CancellationToken.None))!;

        Assert.That(error.Kind, Is.EqualTo(DomainErrorKind.Unreachable));
        Assert.That(error.Message, Does.Contain("credential could not obtain a token for Key Vault"));
    }

    [Test]
    public async Task A_passing_throttle_is_retried_and_the_write_succeeds()
    {
        await _store.GetAsync(IntegrationId, IntegrationSecret.Password, CancellationToken.None);
        _simulator.ClearRequests();
        _simulator.Faults.RateLimitNext(KeyVaultTestEnvironment.MaxRetries, TimeSpan.Zero, "PUT /secrets");

        await _store.SetAsync(IntegrationId, IntegrationSecret.Password, Value, CancellationToken.None);

        Assert.That(_simulator.Requests.Where(r => r.Method == "PUT").Select(r => r.StatusCode), Is.EqualTo(ThrottledTwiceThenStored));
    }

    [Test]
    public void A_forbidden_caller_is_rejected()
    {
        _simulator.Faults.ForbidNext(SimulatorFaults.Always);

        var error = Assert.ThrowsAsync<KeyVaultRejectedException>(() =>
            _store.GetAsync(IntegrationId, IntegrationSecret.Password, CancellationToken.None))!;

        Assert.That(error.StatusCode, Is.EqualTo(403));
        Assert.That(error.Code, Is.EqualTo("Forbidden"));
    }

    [Test]
    public async Task Logs_carry_integration_kind_and_version_but_never_the_value()
    {
        await _store.SetAsync(IntegrationId, IntegrationSecret.Password, Value, CancellationToken.None);
        var version = _simulator.Versions(KeyVaultSecretName.For(IntegrationId, IntegrationSecret.Password)).Single();
        await _store.GetAsync(IntegrationId, IntegrationSecret.Password, CancellationToken.None);
        await _store.DeleteAsync(IntegrationId, IntegrationSecret.Password, CancellationToken.None);
        Assert.ThrowsAsync<KeyVaultRejectedException>(() => _store.SetAsync(IntegrationId, IntegrationSecret.Password, Value, CancellationToken.None));

        var stored = _logs.Entries.Single(e => e.Message.StartsWith("Stored Key Vault secret", StringComparison.Ordinal));
        Assert.That(stored.Properties["IntegrationId"], Is.EqualTo(IntegrationId));
        Assert.That(stored.Properties["SecretKind"], Is.EqualTo("password"));
        Assert.That(stored.Properties["SecretVersion"], Is.EqualTo(version));
        Assert.That(_logs.Entries.Count(e => e.Properties.ContainsKey("IntegrationId")), Is.GreaterThanOrEqualTo(4));
        Assert.That(_logs.AllText, Does.Not.Contain("7f3c9e"));
    }

    private sealed class NoTokenCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new CredentialUnavailableException("No managed identity endpoint found.");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromException<AccessToken>(new CredentialUnavailableException("No managed identity endpoint found."));
    }
}
