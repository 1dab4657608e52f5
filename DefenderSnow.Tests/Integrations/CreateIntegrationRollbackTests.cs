using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Storage;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Integrations;

/// <summary>
/// The insert that decides a name race comes after the secrets are written: when it fails, the secrets
/// must go again. A store whose early name check never sees a clash makes that path certain.
/// </summary>
public sealed class CreateIntegrationRollbackTests : IntegrationFunctionTestBase
{
    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<IIntegrationStore>(sp => new BlindNameCheckStore(ActivatorUtilities.CreateInstance<IntegrationStore>(sp)));

    [Test]
    public async Task A_create_that_loses_the_name_at_insert_removes_the_secrets_it_wrote()
    {
        var name = "Twice-" + Guid.NewGuid().ToString("N")[..6];
        var first = await CreateIntegrationAsync(name);
        var liveBefore = App.KeyVault.SecretNames().ToHashSet();
        var deletedBefore = App.KeyVault.DeletedSecretNames().Count;

        var second = await CreateAsync(ValidBody(name));

        Assert.That(second.Status, Is.EqualTo(409), second.ToString());
        Assert.That(App.KeyVault.SecretNames(), Is.EquivalentTo(liveBefore), "no secret of the refused integration stays live");
        Assert.That(App.KeyVault.DeletedSecretNames(), Has.Count.EqualTo(deletedBefore + 3), "the three secrets it wrote were written, then deleted");
        Assert.That((await GetAsync(first)).Status, Is.EqualTo(200));
    }

    private sealed class BlindNameCheckStore(IIntegrationStore inner) : IIntegrationStore
    {
        public Task<Versioned<Integration>> AddAsync(Integration integration, CancellationToken cancellationToken) => inner.AddAsync(integration, cancellationToken);

        public Task<Versioned<Integration>?> GetAsync(string id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

        public Task<Versioned<Integration>> UpdateAsync(Versioned<Integration> integration, string previousName, CancellationToken cancellationToken) =>
            inner.UpdateAsync(integration, previousName, cancellationToken);

        public Task DeleteAsync(Versioned<Integration> integration, CancellationToken cancellationToken) => inner.DeleteAsync(integration, cancellationToken);

        public Task<bool> IsNameTakenAsync(string scopeId, string name, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<ResultPage<Integration>> ListAsync(string? scopeId, int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
            inner.ListAsync(scopeId, pageSize, continuationToken, cancellationToken);
    }
}
