using System.Reflection;
using DefenderSnow.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>
/// The app's real host, built (never run) through the same composition method as <c>Program.cs</c>,
/// with settings given by the test instead of the environment.
/// </summary>
public static class FunctionsHost
{
    public static IHost Build(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? overrides = null)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.ConfigureFunctionsWebApplication();
        // The test's settings replace, rather than add to, whatever the machine's environment holds.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddDefenderSnow();
        overrides?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>Every class of the Functions assembly that declares a function.</summary>
    public static IReadOnlyList<Type> FunctionClasses() =>
        typeof(DefenderSnowComposition).Assembly.GetTypes()
            .Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
                .Any(m => m.GetCustomAttribute<FunctionAttribute>() is not null))
            .ToList();

    /// <summary>Creates a function class as the worker does: constructor arguments from the container.</summary>
    public static T Create<T>(IHost host) => ActivatorUtilities.CreateInstance<T>(host.Services);
}
