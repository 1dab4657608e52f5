using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace DefenderSnow.Tests.Infrastructure;

/// <summary>One HTTP function of the app, found by reflection: its contract name, verb, route and key level.</summary>
public sealed record HttpFunction(string Name, string Method, string Route, AuthorizationLevel Level, MethodInfo Implementation)
{
    /// <summary>The route's parameter names, in order (<c>integrations/{id}</c> → <c>id</c>).</summary>
    public IReadOnlyList<string> RouteParameters =>
        Implementation.GetParameters().Where(p => p.ParameterType == typeof(string)).Select(p => p.Name!).ToList();

    public override string ToString() => Name;
}

/// <summary>
/// Every HTTP function of the Functions assembly, and a way to call one as the host would, so tests that
/// must cover every endpoint (roles, generated input) cannot miss a new one.
/// </summary>
public static class HttpFunctionCatalog
{
    public static IReadOnlyList<HttpFunction> All { get; } = FunctionsHost.FunctionClasses()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
        .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>(), Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null), Method: m))
        .Where(f => f.Function is not null && f.Trigger is not null)
        .Select(f => new HttpFunction(f.Function!.Name, f.Trigger!.Methods!.Single().ToUpperInvariant(), f.Trigger.Route ?? string.Empty, f.Trigger.AuthLevel, f.Method))
        .OrderBy(f => f.Name, StringComparer.Ordinal)
        .ToList();

    public static HttpFunction Get(string name) => All.Single(f => f.Name == name);

    /// <summary>
    /// Calls <paramref name="function"/> with <paramref name="routeValues"/> for its route parameters (in order), the
    /// raw <paramref name="body"/> (none when null) and <paramref name="query"/> (without <c>?</c>).
    /// </summary>
    public static Task<FunctionResponse> InvokeAsync(
        IServiceProvider services, HttpFunction function, IReadOnlyList<string> routeValues, string? body = null, string query = "", IDictionary<string, string>? headers = null)
    {
        var instance = ActivatorUtilities.CreateInstance(services, function.Implementation.DeclaringType!);
        // The route values reach the function as arguments, as the host's routing hands them over; the
        // path only has to be a valid one.
        var path = "/api/" + function.Route;
        foreach (var (name, index) in function.RouteParameters.Select((n, i) => (n, i)))
        {
            path = path.Replace("{" + name + "}", "value" + index, StringComparison.Ordinal);
        }

        var context = FunctionCall.Request(function.Method, query.Length == 0 ? path : path + "?" + query, body, headers);
        var values = new Queue<string>(routeValues);
        return FunctionCall.InvokeAsync(context, request =>
        {
            var arguments = function.Implementation.GetParameters().Select(p => p.ParameterType switch
            {
                var t when t == typeof(HttpRequest) => request,
                var t when t == typeof(CancellationToken) => CancellationToken.None,
                var t when t == typeof(string) => (object)(values.Count > 0 ? values.Dequeue() : string.Empty),
                var t => throw new InvalidOperationException($"{function.Name} takes a {t.Name}; teach {nameof(HttpFunctionCatalog)} to make one."),
            }).ToArray();
            return (Task<IActionResult>)function.Implementation.Invoke(instance, arguments)!;
        });
    }
}
