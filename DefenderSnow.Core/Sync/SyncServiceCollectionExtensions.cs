using DefenderSnow.Core.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Core.Sync;

internal static class SyncServiceCollectionExtensions
{
    public static IServiceCollection AddSync(this IServiceCollection services, IConfiguration configuration)
    {
        // Top-level settings (SyncSchedule, FullSyncEvery, …): the timer binds to %SyncSchedule% itself.
        services.AddValidatedOptions<SyncOptions, SyncOptionsValidation>(configuration);
        services.AddSingleton<ISyncRunStore, SyncRunStore>();
        services.AddSingleton<ISyncStateStore, SyncStateStore>();
        services.AddSingleton<SyncLease>();
        services.AddSingleton<MassClosureGuard>();
        // Transient: they hold the Resource Manager client (directly or through the applier), whose HttpClient must rotate.
        services.AddTransient<TicketChangeApplier>();
        services.AddTransient<HealthyFindingCloser>();
        services.AddTransient<IncrementalPass>();
        services.AddTransient<FullPass>();
        services.AddTransient<FindingsPass>();
        services.AddSingleton<SyncRunRecorder>();
        services.AddTransient<IntegrationSynchronizer>();
        services.AddTransient<SyncService>();
        return services;
    }
}
