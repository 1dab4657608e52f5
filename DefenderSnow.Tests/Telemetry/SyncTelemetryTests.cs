using System.Diagnostics;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DefenderSnow.Tests.Telemetry;

/// <summary>A sync, run through RunSync and the queue, exported in memory: its span, its metrics, and no secret in any of them.</summary>
public sealed class SyncTelemetryTests : IUsesHarness
{
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private SyncTestContext _context = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartAppExportingInMemory() => _context = await SyncTestContext.StartAsync(configureServices: ExportInMemory);

    [Test]
    public async Task A_sync_traces_each_integration_and_counts_closes_owner_changes_and_its_duration()
    {
        _context.App.Services.GetRequiredService<TracerProvider>();
        _context.App.Services.GetRequiredService<MeterProvider>();
        var integrationId = await _context.Harness.CreateIntegrationAsync();
        var resolved = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var reassigned = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        var fixedOne = await _context.Sync.CreateLiveAssignmentAsync(integrationId);
        _context.App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(fixedOne.ResourceId, fixedOne.AssessmentName, SimulatedAssessmentStatus.Healthy));
        _context.App.ServiceNow.Resolve("incident", resolved.Ticket.SysId!);
        _context.App.ServiceNow.Reassign("incident", reassigned.Ticket.SysId!, SyncDriver.OwnerB);
        _spans.Clear();

        await _context.Sync.SyncAsync(integrationId);
        _context.App.Services.GetRequiredService<TracerProvider>().ForceFlush();
        _context.App.Services.GetRequiredService<MeterProvider>().ForceFlush();

        var sync = _spans.Single(s => s.DisplayName == "SyncIntegration");
        Assert.Multiple(() =>
        {
            Assert.That(sync.GetTagItem("defendersnow.integration.id"), Is.EqualTo(integrationId));
            Assert.That(sync.GetTagItem("defendersnow.sync.status"), Is.EqualTo("Succeeded"));
            Assert.That(_spans.Where(s => s.Kind == ActivityKind.Client && s.ParentSpanId == sync.SpanId), Is.Not.Empty, "ServiceNow and Resource Manager calls are children of the sync span");
            Assert.That(Dimensions("defendersnow.assignments.closed"), Does.Contain("reason=TicketResolved").And.Contain("reason=ResourceHealthy"));
            Assert.That(_metrics.Select(m => m.Name), Does.Contain("defendersnow.owners.changed").And.Contain("defendersnow.sync.duration"));
        });

        var texts = _spans.SelectMany(s => s.TagObjects.Select(t => $"{t.Key}={t.Value}").Concat(s.Events.SelectMany(e => e.Tags.Select(t => $"{t.Key}={t.Value}"))))
            .Concat(_metrics.SelectMany(m => Dimensions(m.Name)))
            .ToList();
        foreach (var secret in _context.Harness.Secrets())
        {
            Assert.That(texts.Where(t => t.Contains(secret, StringComparison.Ordinal)), Is.Empty, "telemetry carries a secret");
        }
    }

    private void ExportInMemory(IServiceCollection services)
    {
        services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddInMemoryExporter(_spans))
            .WithMetrics(metrics => metrics.AddInMemoryExporter(_metrics));
    }

    private List<string> Dimensions(string metricName)
    {
        var dimensions = new List<string>();
        foreach (var metric in _metrics.Where(m => m.Name == metricName))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                foreach (var tag in point.Tags)
                {
                    dimensions.Add($"{tag.Key}={tag.Value}");
                }
            }
        }

        return dimensions;
    }
}
