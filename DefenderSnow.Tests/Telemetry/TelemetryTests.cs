using System.Diagnostics;
using DefenderSnow.Core.Telemetry;
using DefenderSnow.Tests.Assignments;
using DefenderSnow.Tests.Integrations;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DefenderSnow.Tests.Telemetry;

/// <summary>
/// The real composition's OpenTelemetry, exported in memory: the spans and metrics DefenderSnow's work
/// produces, and no secret in any of them.
/// </summary>
public sealed class TelemetryTests : IUsesHarness
{
    private static readonly string[] ProductInstruments = ["defendersnow.tickets.created", "defendersnow.assignments.closed", "defendersnow.owners.changed", "defendersnow.upstream.throttled", "defendersnow.sync.duration"];

    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private IntegrationHarness _harness = null!;
    private AssignmentDriver _assignments = null!;

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartAppExportingInMemory()
    {
        _assignments = await AssignmentDriver.StartAsync(configureServices: services => services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddInMemoryExporter(_spans))
            .WithMetrics(metrics => metrics.AddInMemoryExporter(_metrics)));
        _harness = _assignments.Harness;
    }

    [SetUp]
    public void BeginTestExporting()
    {
        // The hosted service would build the providers when the host starts; tests never run the host.
        _harness.App.Services.GetRequiredService<TracerProvider>();
        _harness.App.Services.GetRequiredService<MeterProvider>();
        _spans.Clear();
        _metrics.Clear();
    }

    [Test]
    public async Task Creating_an_integration_traces_servicenow_key_vault_and_table_storage()
    {
        await _harness.CreateIntegrationAsync();
        Flush();

        var servicePorts = new Dictionary<string, int>
        {
            ["ServiceNow"] = _harness.App.ServiceNow.BaseUri.Port,
            ["Key Vault"] = _harness.App.KeyVault.BaseUri.Port,
        };
        Assert.Multiple(() =>
        {
            foreach (var (service, port) in servicePorts)
            {
                Assert.That(_spans.Where(s => s.Kind == ActivityKind.Client && Equals(s.GetTagItem("server.port"), port)), Is.Not.Empty, $"an HTTP span to {service}");
            }

            Assert.That(_spans.Where(s => s.Source.Name.StartsWith("Azure.Data.Tables", StringComparison.Ordinal)), Is.Not.Empty, "a Table Storage span");
        });
        AssertNoSecretIn(_spans, _metrics);
    }

    [Test]
    public async Task Creating_an_assignment_counts_the_ticket_and_traces_resource_manager()
    {
        var integrationId = await _harness.CreateIntegrationAsync();
        _spans.Clear();
        _metrics.Clear();

        await _assignments.CreateActiveAsync(integrationId, _assignments.UnhealthyResource(), "problem");
        Flush();

        Assert.That(Dimensions(_metrics.Single(m => m.Name == "defendersnow.tickets.created")), Does.Contain("ticket.table=problem"));
        Assert.That(_spans.Where(s => s.Kind == ActivityKind.Client && Equals(s.GetTagItem("server.port"), _harness.App.ResourceManager.BaseUri.Port)), Is.Not.Empty, "an HTTP span to Resource Manager");
        AssertNoSecretIn(_spans, _metrics);
    }

    [Test]
    public async Task Every_429_from_an_upstream_is_counted_even_when_a_retry_succeeds()
    {
        var integrationId = await _harness.CreateIntegrationAsync();
        _harness.App.ServiceNow.Faults.RateLimitNext(1, TimeSpan.Zero, "POST /api/now/table/incident");
        _harness.App.ResourceManager.Faults.RateLimitNext(2, TimeSpan.Zero, DefenderSnow.Simulators.Defender.ResourceManagerOperations.PutGovernanceAssignment);
        var before = Throttled();

        await _assignments.CreateActiveAsync(integrationId, _assignments.UnhealthyResource());

        var after = Throttled();
        Assert.That(after.GetValueOrDefault("service=servicenow") - before.GetValueOrDefault("service=servicenow"), Is.EqualTo(1));
        Assert.That(after.GetValueOrDefault("service=resource-manager") - before.GetValueOrDefault("service=resource-manager"), Is.EqualTo(2));

        // Sums are cumulative over the fixture: read them afresh each time.
        Dictionary<string, long> Throttled()
        {
            _metrics.Clear();
            Flush();
            return _metrics.Where(m => m.Name == "defendersnow.upstream.throttled").SelectMany(Points).ToDictionary(p => p.Dimensions, p => p.Sum);
        }
    }

    [Test]
    public void DefenderSnow_metrics_are_exported_with_their_dimensions()
    {
        var telemetry = _harness.App.Get<DefenderSnowTelemetry>();
        telemetry.TicketCreated("incident");
        telemetry.AssignmentClosed(Core.Assignments.ClosedReason.TicketResolved);
        telemetry.OwnerChanged();
        telemetry.Throttled(Core.Upstream.UpstreamSystem.ServiceNow);
        telemetry.SyncCompleted(TimeSpan.FromSeconds(3), full: false, "succeeded");
        Flush();

        Assert.That(
            _metrics.Select(m => m.Name),
            Is.SupersetOf(ProductInstruments));
        Assert.That(Dimensions(_metrics.Single(m => m.Name == "defendersnow.assignments.closed")), Does.Contain("reason=TicketResolved"));
    }

    private static IEnumerable<string> Dimensions(Metric metric)
    {
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            foreach (var tag in point.Tags)
            {
                yield return $"{tag.Key}={tag.Value}";
            }
        }
    }

    private static IEnumerable<(string Dimensions, long Sum)> Points(Metric metric)
    {
        var points = new List<(string, long)>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var dimensions = new List<string>();
            foreach (var tag in point.Tags)
            {
                dimensions.Add($"{tag.Key}={tag.Value}");
            }

            points.Add((string.Join(",", dimensions), point.GetSumLong()));
        }

        return points;
    }

    private void Flush()
    {
        _harness.App.Services.GetRequiredService<TracerProvider>().ForceFlush();
        _harness.App.Services.GetRequiredService<MeterProvider>().ForceFlush();
    }

    /// <summary>Every attribute, event and metric dimension, searched for the fixture's password, client secret and refresh tokens.</summary>
    private void AssertNoSecretIn(IEnumerable<Activity> spans, IEnumerable<Metric> metrics)
    {
        var texts = spans.SelectMany(s => s.TagObjects.Select(t => $"{t.Key}={t.Value}")
                .Concat(s.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name} {t.Key}={t.Value}")))
                .Append(s.DisplayName).Append(s.StatusDescription ?? string.Empty))
            .Concat(metrics.SelectMany(Dimensions))
            .ToList();
        Assert.That(texts, Is.Not.Empty);
        foreach (var secret in _harness.Secrets())
        {
            Assert.That(texts.Where(t => t.Contains(secret, StringComparison.Ordinal)), Is.Empty, "telemetry carries a secret");
        }
    }
}
