using DefenderSnow.Core.Integrations;
using DefenderSnow.Core.Secrets;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Integrations;

/// <summary>
/// The real store, secret store and verifier, with a place to run a step at a chosen moment: a concurrent
/// delete between two steps of an update, a Key Vault refusal of one particular write. Each hook runs once.
/// </summary>
public sealed class IntegrationTestHooks
{
    /// <summary>Runs before the next <see cref="IIntegrationStore.UpdateAsync"/>, with the real store.</summary>
    public Func<IIntegrationStore, Task>? BeforeUpdate { get; set; }

    /// <summary>Runs before the next write of a secret; may throw, or break the vault.</summary>
    public Func<IntegrationSecret, Task>? BeforeSet { get; set; }

    /// <summary>Secrets of this kind are not written at all (a create that died half-way).</summary>
    public IntegrationSecret? SkipSet { get; set; }

    /// <summary>Runs after the next successful verification.</summary>
    public Func<Task>? AfterVerify { get; set; }

    public bool NameCheckBlind { get; set; }

    /// <summary>Back to the real behaviour, for the next test.</summary>
    public void Reset()
    {
        BeforeUpdate = null;
        BeforeSet = null;
        SkipSet = null;
        AfterVerify = null;
        NameCheckBlind = false;
    }

    public static IntegrationTestHooks Install(IServiceCollection services)
    {
        var hooks = new IntegrationTestHooks();
        services.AddSingleton(hooks);
        services.AddSingleton<IIntegrationStore>(sp => new Store(ActivatorUtilities.CreateInstance<IntegrationStore>(sp), hooks));
        services.AddSingleton<ISecretStore>(sp => new Secrets(ActivatorUtilities.CreateInstance<KeyVaultSecretStore>(sp), hooks));
        services.AddSingleton<IServiceNowConnectionVerifier>(sp => new Verifier(ActivatorUtilities.CreateInstance<ServiceNowConnectionVerifier>(sp), hooks));
        return hooks;
    }


    private sealed class Store(IIntegrationStore inner, IntegrationTestHooks hooks) : IIntegrationStore
    {
        public Task<NameReservation> ReserveNameAsync(string scopeId, string name, string integrationId, CancellationToken cancellationToken) =>
            inner.ReserveNameAsync(scopeId, name, integrationId, cancellationToken);

        public Task ReleaseNameAsync(NameReservation reservation, CancellationToken cancellationToken) => inner.ReleaseNameAsync(reservation, cancellationToken);

        public Task<Versioned<Integration>> AddAsync(Integration integration, NameReservation reservation, CancellationToken cancellationToken) =>
            inner.AddAsync(integration, reservation, cancellationToken);

        public Task<Versioned<Integration>?> GetAsync(string id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

        public async Task<Versioned<Integration>> UpdateAsync(Versioned<Integration> integration, string previousName, CancellationToken cancellationToken)
        {
            var hook = hooks.BeforeUpdate;
            hooks.BeforeUpdate = null;
            if (hook is not null)
            {
                await hook(inner);
            }

            return await inner.UpdateAsync(integration, previousName, cancellationToken);
        }

        public Task DeleteAsync(Versioned<Integration> integration, CancellationToken cancellationToken) => inner.DeleteAsync(integration, cancellationToken);

        public async Task<bool> IsNameTakenAsync(string scopeId, string name, CancellationToken cancellationToken) =>
            !hooks.NameCheckBlind && await inner.IsNameTakenAsync(scopeId, name, cancellationToken);

        public Task<ResultPage<Integration>> ListAsync(string? scopeId, int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
            inner.ListAsync(scopeId, pageSize, continuationToken, cancellationToken);
    }

    private sealed class Secrets(ISecretStore inner, IntegrationTestHooks hooks) : ISecretStore
    {
        public async Task SetAsync(string integrationId, IntegrationSecret secret, string value, CancellationToken cancellationToken)
        {
            if (hooks.SkipSet == secret)
            {
                return;
            }

            var hook = hooks.BeforeSet;
            hooks.BeforeSet = null;
            if (hook is not null)
            {
                await hook(secret);
            }

            await inner.SetAsync(integrationId, secret, value, cancellationToken);
        }

        public Task<string?> GetAsync(string integrationId, IntegrationSecret secret, CancellationToken cancellationToken) => inner.GetAsync(integrationId, secret, cancellationToken);

        public Task DeleteAsync(string integrationId, IntegrationSecret secret, CancellationToken cancellationToken) => inner.DeleteAsync(integrationId, secret, cancellationToken);
    }

    private sealed class Verifier(IServiceNowConnectionVerifier inner, IntegrationTestHooks hooks) : IServiceNowConnectionVerifier
    {
        public async Task<ServiceNowVerifiedConnection> VerifyAsync(ServiceNowCredentials credentials, CancellationToken cancellationToken)
        {
            var verified = await inner.VerifyAsync(credentials, cancellationToken);
            var hook = hooks.AfterVerify;
            hooks.AfterVerify = null;
            if (hook is not null)
            {
                await hook();
            }

            return verified;
        }
    }
}
