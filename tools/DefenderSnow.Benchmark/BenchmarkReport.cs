using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DefenderSnow.Benchmark;

/// <summary>The results as a table: on the console, as Markdown (<c>benchmark.md</c>) and as JSON (<c>benchmark.json</c>).</summary>
public static class BenchmarkReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string Markdown(IReadOnlyList<ScenarioResult> results, BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(options);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Latency {options.Latency.TotalMilliseconds:0} ms per ServiceNow and per Resource Manager request; write bucket pass: {options.BucketCapacity} writes and {options.BucketCapacity} deletes per subscription, refilled at {options.BucketRefillPerSecond:0.##}/s (the delete scenario at {options.DeleteBucketRefillPerSecond:0.##}/s); {Environment.ProcessorCount} cores; {(options.Scale is { } scale ? $"--scale {scale}" : options.Quick ? "--quick" : "full")} run.");
        text.AppendLine();
        text.AppendLine("| scenario | target | time | ServiceNow requests | Resource Manager reads / writes (429) | Table Storage operations | peak working set (at start) | ÷ floor | done | notes |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Target} | {r.Elapsed.TotalSeconds:0.00} s | {r.ServiceNowRequests:N0} | {r.ResourceManagerReads:N0} / {r.ResourceManagerWrites:N0} ({r.ResourceManagerThrottled:N0}) | {r.TableOperations:N0} | {Megabytes(r.PeakWorkingSetBytes)} MB ({Megabytes(r.StartWorkingSetBytes)} MB) | {FloorText(r)} | {(r.Completed ? "yes" : "**no**")} | {r.Notes.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        return text.ToString();
    }

    public static string ToJson(IReadOnlyList<ScenarioResult> results, BenchmarkOptions options) => JsonSerializer.Serialize(
        new
        {
            options.Quick,
            LatencyMilliseconds = options.Latency.TotalMilliseconds,
            options.BucketCapacity,
            options.BucketRefillPerSecond,
            options.DeleteBucketRefillPerSecond,
            options.Sizes,
            Environment.ProcessorCount,
            Scenarios = results.Select(r => new
            {
                r.Name,
                r.Target,
                ElapsedSeconds = Math.Round(r.Elapsed.TotalSeconds, 3),
                r.ServiceNowRequests,
                r.ResourceManagerReads,
                r.ResourceManagerWrites,
                r.ResourceManagerThrottled,
                r.TableOperations,
                r.PeakWorkingSetBytes,
                r.StartWorkingSetBytes,
                r.SimulatorsWorkingSetBytes,
                FloorSeconds = r.Floor?.TotalSeconds,
                r.FloorRatio,
                r.Completed,
                r.Notes,
            }),
        },
        Json);

    /// <summary>Writes both files and returns their paths.</summary>
    public static async Task<(string Markdown, string Json)> WriteAsync(IReadOnlyList<ScenarioResult> results, BenchmarkOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.OutDirectory);
        var markdown = Path.Combine(options.OutDirectory, "benchmark.md");
        var json = Path.Combine(options.OutDirectory, "benchmark.json");
        await File.WriteAllTextAsync(markdown, Markdown(results, options), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(json, ToJson(results, options), cancellationToken).ConfigureAwait(false);
        return (markdown, json);
    }

    private static string Megabytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture);

    private static string FloorText(ScenarioResult r) =>
        r.Floor is { } floor ? string.Create(CultureInfo.InvariantCulture, $"{r.FloorRatio:0.00} (floor {floor.TotalSeconds:0.0} s)") : string.Empty;
}
