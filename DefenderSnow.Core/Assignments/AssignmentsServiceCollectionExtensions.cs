using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Core.Assignments;

internal static class AssignmentsServiceCollectionExtensions
{
    public static IServiceCollection AddAssignments(this IServiceCollection services)
    {
        services.AddSingleton<IAssignmentStore, AssignmentStore>();
        services.AddSingleton<TicketOpener>();
        // Transient: they hold the Resource Manager typed client, whose handler must rotate.
        services.AddTransient<AssignmentDrafter>();
        services.AddTransient<AssignmentCreation>();
        services.AddTransient<AssignmentService>();
        return services;
    }
}
