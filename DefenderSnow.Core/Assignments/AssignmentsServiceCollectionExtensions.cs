using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Core.Assignments;

internal static class AssignmentsServiceCollectionExtensions
{
    public static IServiceCollection AddAssignments(this IServiceCollection services)
    {
        services.AddSingleton<IAssignmentStore, AssignmentStore>();
        services.AddSingleton<TicketOpener>();
        services.AddSingleton<AssignmentService>();
        return services;
    }
}
