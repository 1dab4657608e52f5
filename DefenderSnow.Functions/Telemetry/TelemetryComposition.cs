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

        // UseFunctionsWorkerDefaults (Worker.OpenTelemetry 1.2.0) sets the worker capability
        // WorkerOpenTelemetrySchemaVersion to 1.37.0, which selects the worker's TelemetryProviderV1_37_0. That provider
        // leaves AzureFunctions_InvocationId out of the log scope, so the host cannot tie a worker log line to its
        // invocation and drops it from its own log (console, App Service log stream): every line this app writes
        // (azure-functions-dotnet-worker#3489, #3487). Pinned to 1.17.0, the worker uses TelemetryProviderV1_17_0, which
        // puts the key in the scope; logs reach the host again and the traces and metrics above still export, with
        // the 1.17.0 schema's attribute names. RealHostTests holds it: the health probe failure and the timer's run
        // appear in the real host's output (both failed without this line).
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
