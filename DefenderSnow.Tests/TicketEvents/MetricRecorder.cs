using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace DefenderSnow.Tests.TicketEvents;

/// <summary>
/// Sums the DefenderSnow counters of one app (its meter factory), by instrument and tag set: other fixtures' apps run in
/// the same process, and their measurements are not this test's.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new(StringComparer.Ordinal);

    public MetricRecorder(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Meter.Name == Core.Telemetry.DefenderSnowTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name + string.Concat(tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"|{t.Key}={t.Value}"));
            _sums.AddOrUpdate(key, value, (_, sum) => sum + value);
        });
        _listener.Start();
    }

    /// <summary>The sum of <paramref name="instrument"/> for one tag (or all of them without a tag).</summary>
    public long Sum(string instrument, string? tag = null, object? value = null) =>
        _sums.Where(p => p.Key.Split('|')[0] == instrument && (tag is null || p.Key.Split('|').Skip(1).Contains($"{tag}={value}"))).Sum(p => p.Value);

    public void Dispose() => _listener.Dispose();
}
