using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Simulators.KeyVault;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Integrations;

/// <summary>
/// A create holds its name before it writes anything, so a loser of a name race writes nothing; a create
/// that fails after writing removes what it wrote and frees the name.
/// </summary>
public sealed class CreateIntegrationRollbackTests : IUsesHarness
{
    private IntegrationHarness _harness = null!;
    private IntegrationTestHooks _hooks = null!;

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartAppWithHooks() => _harness = await IntegrationHarness.StartAsync(configureServices: services => _hooks = IntegrationTestHooks.Install(services));

    [TearDown]
    public void ClearHooks()
    {
        _hooks.Reset();
    }

    [Test]
    public async Task A_create_that_gets_past_the_name_check_but_loses_the_reservation_writes_nothing_and_asks_servicenow_nothing()
    {
        var name = "Twice-" + Guid.NewGuid().ToString("N")[..6];
        var first = await _harness.CreateIntegrationAsync(name);
        _hooks.NameCheckBlind = true;
        _harness.App.ServiceNow.ResetRequestCounts();
        var before = await StateSnapshot.TakeAsync(_harness.App);

        var second = await _harness.CreateAsync(_harness.ValidBody(name.ToUpperInvariant()));

        Assert.That(second.Status, Is.EqualTo(409), second.ToString());
        Assert.That(await StateSnapshot.TakeAsync(_harness.App), Is.EqualTo(before), "no secret written (not even soft-deleted), no row");
        Assert.That(_harness.App.ServiceNow.TotalRequests, Is.Zero);
        Assert.That((await _harness.GetAsync(first)).Status, Is.EqualTo(200));
    }

    [Test]
    public async Task A_create_that_key_vault_refuses_half_way_removes_what_it_wrote_and_frees_the_name()
    {
        var name = "Half-" + Guid.NewGuid().ToString("N")[..6];
        var liveBefore = _harness.App.KeyVault.SecretNames().ToHashSet();
        var deletedBefore = _harness.App.KeyVault.DeletedSecretNames().Count;
        _hooks.BeforeSet = secret =>
        {
            if (secret == IntegrationSecret.Password)
            {
                // The password is written; the vault refuses the next write.
                _hooks.BeforeSet = _ =>
                {
                    _harness.App.KeyVault.Faults.ForbidNext(1);
                    return Task.CompletedTask;
                };
            }

            return Task.CompletedTask;
        };

        var refused = await _harness.CreateAsync(_harness.ValidBody(name));

        Assert.That(refused.Status, Is.EqualTo(422), refused.ToString());
        Assert.That(refused.Json["detail"]!.GetValue<string>(), Is.EqualTo("Key Vault refused the request (403 Forbidden); the log has its reason."), "no Key Vault secret name or message in the answer");
        Assert.That(_harness.App.KeyVault.SecretNames(), Is.EquivalentTo(liveBefore), "the password it wrote is gone again");
        Assert.That(_harness.App.KeyVault.DeletedSecretNames(), Has.Count.EqualTo(deletedBefore + 1));
        var again = await _harness.CreateAsync(_harness.ValidBody(name));
        Assert.That(again.Status, Is.EqualTo(201), "the name was freed: " + again);
    }

    [Test]
    public async Task A_stale_reservation_of_a_create_that_died_is_taken_over_by_the_next_create()
    {
        var name = "Stale-" + Guid.NewGuid().ToString("N")[..6];
        var store = _harness.App.Get<IIntegrationStore>();
        var dead = await store.ReserveNameAsync(IntegrationHarness.SubscriptionScope, name, Guid.NewGuid().ToString("N"), CancellationToken.None);
        await _harness.App.Get<ISecretStore>().SetAsync(dead.IntegrationId, IntegrationSecret.Password, "left-behind", CancellationToken.None);

        var blocked = await _harness.CreateAsync(_harness.ValidBody(name));
        await AgeReservationAsync(name);
        var taken = await _harness.CreateAsync(_harness.ValidBody(name));

        Assert.That(blocked.Status, Is.EqualTo(409), "a fresh reservation is honoured: " + blocked);
        Assert.That(taken.Status, Is.EqualTo(201), taken.ToString());
        Assert.That(_harness.App.KeyVault.SecretNames(), Has.None.Contains(dead.IntegrationId), "the dead create's secret was removed");
    }

    /// <summary>Moves a pending reservation's time back past the stale age, as if its create had died long ago.</summary>
    private async Task AgeReservationAsync(string name)
    {
        var tables = new Azure.Data.Tables.TableServiceClient(await Azurite.GetConnectionStringAsync());
        var table = tables.GetTableClient(_harness.App.TablePrefix + "integrations");
        var row = await table.GetEntityAsync<Azure.Data.Tables.TableEntity>(IntegrationEntity.Partition, IntegrationNameEntity.RowKeyFor(IntegrationHarness.SubscriptionScope, name));
        row.Value["ReservedAt"] = DateTimeOffset.UtcNow - NameReservation.StaleAfter - TimeSpan.FromMinutes(1);
        await table.UpdateEntityAsync(row.Value, row.Value.ETag);
    }
}
