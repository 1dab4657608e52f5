using System.Reflection;
using DefenderSnow.Core.Defender;
using DefenderSnow.Core.Hosting;
using DefenderSnow.Core.ServiceNow;
using DefenderSnow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Refit;

namespace DefenderSnow.Tests.Functions;

/// <summary>
/// Upstream connections must rotate, so DNS changes are seen: every upstream client ends in a handler with a
/// pooled-connection lifetime, and no singleton keeps a typed client (and with it one handler) for ever.
/// </summary>
public sealed class UpstreamClientLifetimeTests
{
    [TestCase(DefenderServiceCollectionExtensions.HttpClientName)]
    [TestCase(ServiceNowHttpClients.ClientName)]
    public void Every_upstream_client_ends_in_a_handler_whose_connections_rotate(string clientName)
    {
        using var host = FunctionsHost.Build(CompositionTests.ValidSettings());

        var handler = host.Services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(clientName);
        var chain = new List<Type>();
        while (handler is DelegatingHandler { InnerHandler: { } inner })
        {
            chain.Add(handler.GetType());
            handler = inner;
        }

        Assert.That(handler, Is.InstanceOf<SocketsHttpHandler>());
        Assert.That(((SocketsHttpHandler)handler).PooledConnectionLifetime, Is.EqualTo(LoopbackCertificatePolicy.PooledConnectionLifetime));
        Assert.That(((SocketsHttpHandler)handler).AllowAutoRedirect, Is.False, "redirects are never followed");
        Assert.That(chain, Does.Contain(typeof(ResponseSizeLimitHandler)), "response bodies are bounded before they are parsed");
    }

    [Test]
    public void No_singleton_holds_a_typed_http_client()
    {
        IServiceCollection services = null!;
        using var host = FunctionsHost.Build(CompositionTests.ValidSettings(), s => services = s);

        var captured = new List<string>();
        foreach (var singleton in services.Where(d => d.Lifetime == ServiceLifetime.Singleton && !d.IsKeyedService && d.ImplementationType is { IsGenericTypeDefinition: false }))
        {
            FindTypedClients(services, singleton.ImplementationType!, singleton.ImplementationType!.Name, captured, []);
        }

        Assert.That(captured, Is.Empty, "a singleton reaches a typed HTTP client through these constructor parameters");
    }

    /// <summary>Walks constructor parameters through non-singleton registrations, which a singleton would capture.</summary>
    private static void FindTypedClients(IServiceCollection services, Type type, string path, List<string> found, HashSet<Type> seen)
    {
        if (!seen.Add(type))
        {
            return;
        }

        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        foreach (var parameter in constructor?.GetParameters() ?? [])
        {
            var dependency = parameter.ParameterType;
            var here = $"{path} -> {dependency.Name}";
            if (IsTypedClient(dependency))
            {
                found.Add(here);
                continue;
            }

            var registration = services.LastOrDefault(d => d.ServiceType == dependency && !d.IsKeyedService);
            if (registration is { Lifetime: not ServiceLifetime.Singleton, ImplementationType: { } implementation })
            {
                FindTypedClients(services, implementation, here, found, seen);
            }
        }
    }

    private static bool IsTypedClient(Type type) =>
        type == typeof(HttpClient)
        || (type.IsInterface && type.GetMethods().Any(m => m.GetCustomAttribute<HttpMethodAttribute>() is not null));
}
