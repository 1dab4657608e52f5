using DefenderSnow.Core.Storage;
using DefenderSnow.Core.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Sync;

/// <summary>
/// The real sync state store with a place to run a step between a read and the write that follows it: another run
/// taking the hold at that moment. The hook runs once.
/// </summary>
public sealed class SyncStateTestHooks
{
    /// <summary>Runs after the next <see cref="ISyncStateStore.GetAsync"/> returned, before its caller sees the state.</summary>
    public Func<Task>? AfterNextGet { get; set; }

    public static SyncStateTestHooks Install(IServiceCollection services)
    {
        var hooks = new SyncStateTestHooks();
        var real = services.Single(d => d.ServiceType == typeof(ISyncStateStore));
        services.Remove(real);
        services.AddSingleton(real.ImplementationType!);
        services.AddSingleton<ISyncStateStore>(sp => new Store((ISyncStateStore)sp.GetRequiredService(real.ImplementationType!), hooks));
        return hooks;
    }

    private sealed class Store(ISyncStateStore inner, SyncStateTestHooks hooks) : ISyncStateStore
    {
        public async Task<Versioned<SyncState>> GetAsync(string integrationId, CancellationToken cancellationToken)
        {
            var state = await inner.GetAsync(integrationId, cancellationToken);
            var hook = hooks.AfterNextGet;
            hooks.AfterNextGet = null;
            if (hook is not null)
            {
                await hook();
            }

            return state;
        }

        public Task<Versioned<SyncState>> SaveAsync(Versioned<SyncState> state, CancellationToken cancellationToken) => inner.SaveAsync(state, cancellationToken);

        public Task DeleteAsync(string integrationId, CancellationToken cancellationToken) => inner.DeleteAsync(integrationId, cancellationToken);
    }
}
