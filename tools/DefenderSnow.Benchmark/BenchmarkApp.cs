using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues.Models;
using DefenderSnow.Core.Storage;
using DefenderSnow.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DefenderSnow.Benchmark;

/// <summary>
/// The app's real host, built (never run) through <see cref="DefenderSnowComposition"/> as <c>Program.cs</c> builds
/// it, wired to Table Storage and to the three simulators, which run in a process of their own
/// (<see cref="SimulatorProcess"/>), so this process's working set is the app's (and the benchmark's bookkeeping).
/// </summary>
public sealed class BenchmarkApp : IDisposable
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private BenchmarkApp(IHost host, TableOperationCounter tableOperations)
    {
        Host = host;
        TableOperations = tableOperations;
    }

    public IHost Host { get; }

    public TableOperationCounter TableOperations { get; }

    public static BenchmarkApp Start(string storageConnectionString, SimulatorProcess simulators)
    {
        ArgumentNullException.ThrowIfNull(simulators);
        var prefix = "bench" + Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = storageConnectionString,
            ["Storage:TablePrefix"] = prefix,
            ["SyncIntegrationsQueue"] = $"sync-{prefix}",
            ["IntegrationDeletionsQueue"] = $"deletions-{prefix}",
            ["KeyVault:VaultUri"] = simulators.KeyVault.AbsoluteUri,
            ["Defender:Endpoint"] = simulators.ResourceManager.AbsoluteUri,
            ["Azure:Credential"] = "Simulator",
            ["LocalDevelopment:TrustLoopbackCertificates"] = "true",
            ["ServiceNow:AllowPrivateAddresses"] = "true",
        };
        var tableOperations = new TableOperationCounter();
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.ConfigureFunctionsWebApplication();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddDefenderSnow();
        builder.Services.AddSingleton(new TableStoragePipelinePolicy(tableOperations));
        // Warnings and errors only: a log line per request would be part of what is measured.
        builder.Services.AddLogging(logging => logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Azure.Core", LogLevel.Error));
        // (The Azure SDK logs every expected 404 of a point read as a warning.)
        return new BenchmarkApp(builder.Build(), tableOperations);
    }

    public T Get<T>()
        where T : notnull => Host.Services.GetRequiredService<T>();

    /// <summary>A function class created as the worker creates it: constructor arguments from the container.</summary>
    public T Function<T>() => ActivatorUtilities.CreateInstance<T>(Host.Services);

    /// <summary>Calls an HTTP function with a real request and executes its result into a real response.</summary>
    public static async Task<(int Status, JsonNode? Body)> CallAsync(string method, string path, object? body, Func<HttpRequest, Task<IActionResult>> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("defendersnow.azurewebsites.net");
        context.Request.Path = path;
        if (body is not null)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(body, Web);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType = "application/json";
        }

        context.Response.Body = new MemoryStream();
        var result = await function(context.Request).ConfigureAwait(false);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor())).ConfigureAwait(false);
        var text = Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        return (context.Response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    /// <summary>
    /// Hands the queue's messages to a queue-triggered function as the host does, until the queue is empty (messages
    /// sent with a delay are waited for): deleted when handled, visible again when the function throws, and the
    /// benchmark fails when one keeps failing.
    /// </summary>
    /// <returns>How many deliveries were made.</returns>
    public async Task<int> DrainAsync(WorkQueue queue, Func<QueueMessage, Task> function, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(function);
        var client = await Get<QueueClientProvider>().GetAsync(queue, cancellationToken).ConfigureAwait(false);
        var deliveries = 0;
        while (true)
        {
            var received = await client.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
            if (received.Value.Length == 0)
            {
                var properties = await client.GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
                if (properties.Value.ApproximateMessagesCount == 0)
                {
                    return deliveries;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
                continue;
            }

            var message = received.Value[0];
            deliveries++;
            try
            {
                await function(message).ConfigureAwait(false);
            }
            catch (Exception e) when (message.DequeueCount < 5 && e is not OperationCanceledException)
            {
                await client.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: cancellationToken).ConfigureAwait(false);
                continue;
            }

            await client.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        Host.Dispose();
        TableOperations.Dispose();
    }
}
