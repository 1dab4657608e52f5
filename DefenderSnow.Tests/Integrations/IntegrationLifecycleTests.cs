using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Core.Storage;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Simulators.KeyVault;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.Integrations;

/// <summary>List, read, update and delete, against the real host, Azurite and the simulators.</summary>
public sealed class IntegrationLifecycleTests : IUsesHarness
{
    private static readonly string[] Impact = ["impact"];

    private IntegrationHarness _harness = null!;
    private SyncDriver _sync = null!;

    IntegrationHarness? IUsesHarness.Harness => _harness;

    /// <summary>The sync driver is here for its owners and its live assignments, made through CreateAssignment.</summary>
    [OneTimeSetUp]
    public async Task StartApp()
    {
        _harness = await IntegrationHarness.StartAsync();
        _sync = new SyncDriver(_harness);
    }

    [Test]
    public async Task List_filters_by_scope_and_pages_without_leaking_the_function_key()
    {
        var scope = "/subscriptions/" + Guid.NewGuid().ToString("D");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await _harness.CreateIntegrationAsync(scope: scope));
        }

        await _harness.CreateIntegrationAsync();

        var first = await _harness.ListAsync($"?scope={Uri.EscapeDataString(scope.ToUpperInvariant())}&top=2&code=the-function-key");
        var nextLink = first.Json["nextLink"]!.GetValue<string>();
        var second = await _harness.ListAsync(new Uri(nextLink).Query);

        Assert.That(first.Status, Is.EqualTo(200), first.ToString());
        Assert.That(first.Json["value"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That(nextLink, Does.Not.Contain("the-function-key"));
        Assert.That(second.Json["value"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(second.Json["nextLink"], Is.Null);
        var listed = first.Json["value"]!.AsArray().Concat(second.Json["value"]!.AsArray()).Select(i => i!["id"]!.GetValue<string>());
        Assert.That(listed, Is.EquivalentTo(ids));
    }

    [TestCase("truncated")]
    [TestCase("altered")]
    [TestCase("forged")]
    [TestCase("of another scope")]
    public async Task A_continuation_token_this_service_did_not_issue_for_the_listing_is_a_400(string how)
    {
        var scope = "/subscriptions/" + Guid.NewGuid().ToString("D");
        await _harness.CreateIntegrationAsync(scope: scope);
        await _harness.CreateIntegrationAsync(scope: scope);
        var first = await _harness.ListAsync($"?scope={Uri.EscapeDataString(scope)}&top=1");
        var token = Uri.UnescapeDataString(new Uri(first.Json["nextLink"]!.GetValue<string>()).Query.Split("continuationToken=")[1]);
        var (query, spoiled) = how switch
        {
            "truncated" => (scope, token[..^3]),
            "altered" => (scope, token[..^1] + (token[^1] == 'A' ? 'B' : 'A')),
            "forged" => (scope, "v1." + Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).Concat(Guid.NewGuid().ToByteArray()).ToArray()).Replace('+', '-').Replace('/', '_').TrimEnd('=')),
            _ => ("/subscriptions/" + Guid.NewGuid().ToString("D"), token),
        };

        var response = await _harness.ListAsync($"?scope={Uri.EscapeDataString(query)}&top=1&continuationToken={Uri.EscapeDataString(spoiled)}");

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(response.Json["errors"]!["continuationToken"], Is.Not.Null, response.ToString());
    }

    [Test]
    public async Task Update_renames_and_changes_fields_and_records_who()
    {
        var id = await _harness.CreateIntegrationAsync();

        var response = await _harness.UpdateAsync(
            id,
            new { name = "Renamed-" + id[..6], fieldMode = "customized", fields = new { incident = Impact } },
            new Dictionary<string, string> { ["X-MS-CLIENT-PRINCIPAL-NAME"] = "auditor@contoso.com" });

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        var read = await _harness.GetAsync(id);
        Assert.That(read.Json["name"]!.GetValue<string>(), Is.EqualTo("Renamed-" + id[..6]));
        Assert.That(read.Json["fieldMode"]!.GetValue<string>(), Is.EqualTo("customized"));
        Assert.That(read.Json["fields"]!["incident"]!.AsArray().Select(f => f!.GetValue<string>()), Is.EqualTo(Impact));
        Assert.That(read.Json["updatedBy"]!.GetValue<string>(), Is.EqualTo("auditor@contoso.com"));
    }

    [Test]
    public async Task A_rename_frees_the_old_name_and_cannot_take_a_used_one()
    {
        var scope = "/subscriptions/" + Guid.NewGuid().ToString("D");
        var first = await _harness.CreateIntegrationAsync("alpha", scope);
        await _harness.CreateIntegrationAsync("beta", scope);

        var clash = await _harness.UpdateAsync(first, new { name = "BETA" });
        var rename = await _harness.UpdateAsync(first, new { name = "gamma" });
        var reuse = await _harness.CreateAsync(_harness.ValidBody("alpha", scope));

        Assert.That(clash.Status, Is.EqualTo(409), clash.ToString());
        Assert.That(rename.Status, Is.EqualTo(200), rename.ToString());
        Assert.That(reuse.Status, Is.EqualTo(201), reuse.ToString());
    }

    [Test]
    public async Task Scope_and_instance_cannot_be_changed()
    {
        var id = await _harness.CreateIntegrationAsync();

        var scope = await _harness.UpdateAsync(id, new { scope = new { type = "subscription", id = "/subscriptions/" + Guid.NewGuid() } });
        var instance = await _harness.UpdateAsync(id, new { instanceUrl = "https://other.service-now.com/" });

        Assert.That(scope.Json["errors"]!["scope"], Is.Not.Null, scope.ToString());
        Assert.That(instance.Json["errors"]!["instanceUrl"], Is.Not.Null, instance.ToString());
    }

    [Test]
    public async Task An_update_with_an_unknown_member_is_refused_and_changes_nothing()
    {
        var id = await _harness.CreateIntegrationAsync();
        var before = await StateSnapshot.TakeAsync(_harness.App);

        var response = await _harness.UpdateAsync(id, new { changesCredentials = true, name = "x" });

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(response.Json["errors"]!["changesCredentials"], Is.Not.Null, response.ToString());
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
    }

    [TestCase("password", "new\u0000password")]
    [TestCase("clientSecret", "secret\r\n")]
    public async Task An_update_with_a_control_character_in_a_secret_is_a_400_and_nothing_leaves(string field, string value)
    {
        var id = await _harness.CreateIntegrationAsync();
        var before = await StateSnapshot.TakeAsync(_harness.App);
        _harness.App.ServiceNow.ResetRequestCounts();

        var response = await _harness.UpdateAsync(id, new Dictionary<string, string> { [field] = value });

        Assert.That(response.Status, Is.EqualTo(400), response.ToString());
        Assert.That(response.Json["errors"]![field], Is.Not.Null, response.ToString());
        Assert.That(_harness.App.ServiceNow.TotalRequests, Is.Zero);
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
    }

    [Test]
    public async Task Rejected_new_credentials_are_a_422_and_the_old_ones_stay()
    {
        var id = await _harness.CreateIntegrationAsync();
        var before = await StateSnapshot.TakeAsync(_harness.App);
        var wrong = "Wrong-" + Guid.NewGuid().ToString("N");
        _harness.RememberSecret(wrong);

        var response = await _harness.UpdateAsync(id, new { password = wrong });

        Assert.That(response.Status, Is.EqualTo(422), response.ToString());
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before));
        Assert.That(_harness.App.KeyVault.GetValue(KeyVaultSecretName.For(id, IntegrationSecret.Password)), Is.EqualTo(_harness.Password));
    }

    [Test]
    public async Task New_credentials_are_proven_then_stored_as_new_versions()
    {
        var id = await _harness.CreateIntegrationAsync();
        var newSecret = "Cs2-" + Guid.NewGuid().ToString("N");
        _harness.RememberSecret(newSecret);
        _harness.App.ServiceNow.RegisterOAuthClient("second-client", newSecret);
        var passwordName = KeyVaultSecretName.For(id, IntegrationSecret.Password);
        var secretName = KeyVaultSecretName.For(id, IntegrationSecret.ClientSecret);
        var passwordVersions = _harness.App.KeyVault.Versions(passwordName).Count;

        var response = await _harness.UpdateAsync(id, new { clientId = "second-client", clientSecret = newSecret });

        Assert.That(response.Status, Is.EqualTo(200), response.ToString());
        Assert.That(response.Json["clientId"]!.GetValue<string>(), Is.EqualTo("second-client"));
        Assert.That(_harness.App.KeyVault.GetValue(secretName), Is.EqualTo(newSecret));
        Assert.That(_harness.App.KeyVault.Versions(secretName), Has.Count.EqualTo(2));
        Assert.That(_harness.App.KeyVault.Versions(passwordName), Has.Count.EqualTo(passwordVersions), "an unchanged password gets no new version");
    }

    [Test]
    public async Task Delete_removes_assignments_governance_assignments_secrets_and_the_integration()
    {
        var id = await _harness.CreateIntegrationAsync();
        var assignments = await _sync.Assignments.CreateManyAsync(id, 3, IntegrationHarness.SubscriptionScope);
        var secretNames = Enum.GetValues<IntegrationSecret>().Select(s => KeyVaultSecretName.For(id, s)).ToList();

        var response = await _harness.DeleteAsync(id);

        Assert.That(response.Status, Is.EqualTo(204), response.ToString());
        Assert.That(response.Body, Is.Empty);
        Assert.That((await _harness.GetAsync(id)).Status, Is.EqualTo(404));
        Assert.That(_harness.App.ResourceManager.State.GovernanceAssignments.Where(g => assignments.Any(a => g.AssignmentKey == a.Id)), Is.Empty);
        var store = _harness.App.Get<IAssignmentStore>();
        foreach (var assignment in assignments)
        {
            var stored = await store.GetAsync(id, assignment.Id, CancellationToken.None);
            Assert.That(stored!.Value.Status, Is.EqualTo(AssignmentStatus.Closed));
            Assert.That(stored.Value.ClosedReason, Is.EqualTo(ClosedReason.IntegrationDeleted));
        }

        Assert.That(_harness.App.KeyVault.SecretNames(), Has.None.AnyOf(secretNames.ToArray()));
        Assert.That((await _harness.DeleteAsync(id)).Status, Is.EqualTo(404), "a second delete finds nothing");
    }

    [Test]
    public async Task An_interrupted_delete_finishes_when_repeated()
    {
        var id = await _harness.CreateIntegrationAsync();
        var assignments = await _sync.Assignments.CreateManyAsync(id, 2, IntegrationHarness.SubscriptionScope);
        _harness.App.ResourceManager.Faults.FailNext(20, 500, ResourceManagerOperations.DeleteGovernanceAssignment);

        var interrupted = await _harness.DeleteAsync(id);
        _harness.App.ResourceManager.Faults.Clear();

        // Resource Manager kept failing: the delete goes on in the background instead of failing the request.
        Assert.That(interrupted.Status, Is.EqualTo(202), interrupted.ToString());
        Assert.That(interrupted.Headers.Location.ToString(), Is.EqualTo($"/api/integrations/{id}"));
        Assert.That(interrupted.Json["status"]!.GetValue<string>(), Is.EqualTo("deleting"));
        Assert.That(interrupted.Json["statusDetail"]!.GetValue<string>(), Is.EqualTo("2 assignments remain."));
        Assert.That((await _harness.GetAsync(id)).Status, Is.EqualTo(200), "nothing is lost while Resource Manager fails");
        var finished = await _harness.DeleteAsync(id);
        Assert.That(finished.Status, Is.EqualTo(204), finished.ToString());
        // The message the interrupted delete left finds nothing more to do.
        Assert.That(await _harness.App.Queues.DrainAsync(WorkQueue.IntegrationDeletions, m => _harness.Functions.CompleteDeletion(m, CancellationToken.None)), Is.EqualTo(1));
        Assert.That(_harness.App.ResourceManager.State.GovernanceAssignments.Where(g => assignments.Any(a => g.AssignmentKey == a.Id)), Is.Empty);
        Assert.That((await _harness.GetAsync(id)).Status, Is.EqualTo(404));
    }

    [Test]
    public async Task A_delete_interrupted_by_key_vault_keeps_the_integration_until_repeated()
    {
        var id = await _harness.CreateIntegrationAsync();
        _harness.App.KeyVault.Faults.ForbidNext(SimulatorFaults.Always);

        var interrupted = await _harness.DeleteAsync(id);
        _harness.App.KeyVault.Faults.Clear();

        Assert.That(interrupted.Status, Is.EqualTo(422), interrupted.ToString());
        Assert.That((await _harness.GetAsync(id)).Status, Is.EqualTo(200));
        Assert.That((await _harness.DeleteAsync(id)).Status, Is.EqualTo(204));
        Assert.That(_harness.App.KeyVault.SecretNames().Where(n => n.Contains(id)), Is.Empty);
    }
}
