using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using DefenderSnow.Core.Telemetry;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DefenderSnow.Functions.Telemetry;

/// <summary>
/// OpenTelemetry for the worker: a span per invocation (the Functions worker's own), DefenderSnow's
/// spans and metrics, dependency spans for ServiceNow and Resource Manager (HttpClient) and for Table
/// Storage and Key Vault (the Azure SDK's sources), exported to Application Insights when its
/// connection string is set.
/// </summary>
internal static class TelemetryComposition
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The Azure SDK clients' own sources (tables, Key Vault) besides HttpClient's.</summary>
    private const string AzureSdkSources = "Azure.*";

    private const string WorkerOpenTelemetrySchemaCapability = "WorkerOpenTelemetrySchemaVersion";
    private const string HostRelayedLogsSchemaVersion = "1.17.0";

    public static void AddDefenderSnowTelemetry(this IHostApplicationBuilder builder)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing
                .AddSource(DefenderSnowTelemetry.Name, AzureSdkSources)
                .AddHttpClientInstrumentation(options =>
                {
                    // The OAuth token request carries credentials in its body; the URL never does, and
                    // its query is redacted by the instrumentation. Nothing from the body is recorded.
                    options.RecordException = true;
                }))
            .WithMetrics(metrics => metrics
                .AddMeter(DefenderSnowTelemetry.Name)
                .AddHttpClientInstrumentation());

        // UseFunctionsWorkerDefaults (Worker.OpenTelemetry 1.2.0) tells the host, through the worker capability
        // WorkerOpenTelemetrySchemaVersion 1.37.0, that the worker exports its own logs; a host that sees that
        // schema drops the worker's log lines from its own log (console, App Service log stream), and with them every
        // line this app writes (azure-functions-dotnet-worker#3489, #3487). The last schema for which the host still
        // relays them is pinned here, so the logs reach the host and the traces and metrics above still export.
        // RealHostTests holds it: the health probe failure and the timer's run appear in the real host's output.
        builder.Services.Configure<WorkerOptions>(options => options.Capabilities[WorkerOpenTelemetrySchemaCapability] = HostRelayedLogsSchemaVersion);

        if (!string.IsNullOrWhiteSpace(builder.Configuration[ConnectionStringSetting]))
        {
            // The infrastructure turns local authentication off: ingestion uses the app's one credential.
            telemetry.UseAzureMonitorExporter();
            builder.Services.AddOptions<AzureMonitorExporterOptions>()
                .Configure<TokenCredential>((options, credential) => options.Credential = credential);
        }
    }
}
