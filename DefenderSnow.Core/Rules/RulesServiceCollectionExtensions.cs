using DefenderSnow.Core.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Core.Rules;

internal static class RulesServiceCollectionExtensions
{
    public static IServiceCollection AddRules(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<RuleOptions, RuleOptionsValidation>(configuration.GetSection(RuleOptions.SectionName));
        services.AddSingleton<IRuleStore, RuleStore>();
        // Transient: they hold the Resource Manager client, whose handler must rotate.
        services.AddTransient<RuleCandidates>();
        services.AddTransient<RuleEvaluator>();
        services.AddTransient<RuleUpstreamCheck>();
        services.AddTransient<RuleService>();
        return services;
    }
}
