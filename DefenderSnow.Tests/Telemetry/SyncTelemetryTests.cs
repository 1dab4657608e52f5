using System.Diagnostics;
using DefenderSnow.Simulators.Defender;
using DefenderSnow.Tests.Sync;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DefenderSnow.Tests.Telemetry;

/// <summary>A sync, run through RunSync and the queue, exported in memory: its span, its metrics, and no secret in any of them.</summary>
public sealed class SyncTelemetryTests : SyncTestBase
{
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];

    [Test]
    public async Task A_sync_traces_each_integration_and_counts_closes_owner_changes_and_its_duration()
    {
        App.Services.GetRequiredService<TracerProvider>();
        App.Services.GetRequiredService<MeterProvider>();
        var integrationId = await CreateIntegrationAsync();
        var resolved = await CreateLiveAssignmentAsync(integrationId);
        var reassigned = await CreateLiveAssignmentAsync(integrationId);
        var fixedOne = await CreateLiveAssignmentAsync(integrationId);
        App.ResourceManager.State.SeedAssessment(new SimulatedAssessment(fixedOne.ResourceId, fixedOne.AssessmentName, SimulatedAssessmentStatus.Healthy));
        App.ServiceNow.Resolve("incident", resolved.Ticket.SysId!);
        App.ServiceNow.Reassign("incident", reassigned.Ticket.SysId!, OwnerB);
        _spans.Clear();

        await SyncAsync(integrationId);
        App.Services.GetRequiredService<TracerProvider>().ForceFlush();
        App.Services.GetRequiredService<MeterProvider>().ForceFlush();

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
        foreach (var secret in Secrets())
        {
            Assert.That(texts.Where(t => t.Contains(secret, StringComparison.Ordinal)), Is.Empty, "telemetry carries a secret");
        }
    }

    protected override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
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
