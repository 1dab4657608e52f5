using DefenderSnow.Core.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Core.TicketEvents;

internal static class TicketEventsServiceCollectionExtensions
{
    public static IServiceCollection AddTicketEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<TicketEventOptions, TicketEventOptionsValidation>(configuration.GetSection(TicketEventOptions.SectionName));
        services.AddSingleton<WebhookSecretCache>();
        services.AddSingleton(sp => new PendingTicketEventStore(sp.GetRequiredService<Storage.TableClientProvider>()));
        services.AddSingleton<TicketEventRouteFinder>();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<TicketEventVerifier>();
        services.AddSingleton<TicketEventRemnants>();
        services.AddSingleton<TicketEventReceiver>();
        // Transient: it holds the applier, whose Resource Manager client must rotate its HttpClient.
        services.AddTransient<TicketEventWorker>();
        return services;
    }
}
