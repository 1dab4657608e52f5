namespace DefenderSnow.Benchmark;

/// <summary>How a benchmark run is made; every field has a command-line option (see <see cref="Parse"/>).</summary>
public sealed record BenchmarkOptions
{
    /// <summary>About 1/20 of the sizes: the smoke test the suite runs.</summary>
    public bool Quick { get; init; }

    /// <summary>Where <c>benchmark.md</c> and <c>benchmark.json</c> are written.</summary>
    public string OutDirectory { get; init; } = "benchmark-results";

    /// <summary>Added by the simulators to every ServiceNow and every Resource Manager request.</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>
    /// Table and Queue services to use; null starts Azurite from the repository's <c>node_modules</c>
    /// (environment variable <c>DEFENDERSNOW_BENCHMARK_STORAGE</c> sets it too).
    /// </summary>
    public string? StorageConnectionString { get; init; }

    /// <summary>Run Azurite as published, without the benchmark's table index (see <c>azurite-table-index.js</c>): slow beyond a few thousand rows in a partition.</summary>
    public bool StockAzurite { get; init; }

    /// <summary>The Resource Manager write and delete buckets' size in the "write bucket on" pass (Resource Manager publishes 200).</summary>
    public int BucketCapacity { get; init; } = 200;

    /// <summary>
    /// Their refill rate per second for the sync and create scenarios of that pass: Resource Manager's published 10.
    /// A faster refill would put the floor below the time the code takes unthrottled, and the ratio would then measure
    /// the code rather than how close its pacing comes to the bucket.
    /// </summary>
    public double BucketRefillPerSecond { get; init; } = 10;

    /// <summary>
    /// The refill rate for the delete scenario of that pass: 10 times the published rate, so that the 20,000-delete
    /// floor is 3.3 minutes rather than 33. The ratio to the floor is what is judged.
    /// </summary>
    public double DeleteBucketRefillPerSecond { get; init; } = 100;

    /// <summary>Another share of the full sizes than --quick's 1/20, for a machine or a store that cannot hold the full run.</summary>
    public double? Scale { get; init; }

    public BenchmarkSizes Sizes => Scale is { } scale ? BenchmarkSizes.FullRun.Scaled(scale) : Quick ? BenchmarkSizes.QuickRun : BenchmarkSizes.FullRun;

    public const string Usage = """
        DefenderSnow benchmark: sync, creation and deletion at scale against Azurite and the simulators.
        Usage: dotnet run -c Release --project tools/DefenderSnow.Benchmark -- [options]
          --quick                 about 1/20 of the sizes (the smoke test the suite runs)
          --scale F               F times the full sizes (0.05 is --quick)
          --out DIR               where benchmark.md and benchmark.json go (default benchmark-results)
          --latency MS            added to every ServiceNow and Resource Manager request (default 30)
          --bucket-capacity N     write/delete bucket size in the "bucket on" pass (default 200)
          --bucket-refill N       write/delete bucket refill per second in that pass, sync and create (default 10)
          --delete-bucket-refill N  the same for the delete scenario (default 100)
          --storage CONNECTION    Table and Queue services (default: Azurite started from node_modules)
          --stock-azurite         run Azurite without the benchmark's table index (azurite-table-index.js)
        """;

    /// <summary>Reads the command line; throws <see cref="ArgumentException"/> naming the option that is wrong.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new BenchmarkOptions { StorageConnectionString = Environment.GetEnvironmentVariable("DEFENDERSNOW_BENCHMARK_STORAGE") is { Length: > 0 } s ? s : null };
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--quick" => options with { Quick = true },
                "--scale" => options with { Scale = Number("--scale", Value(), 0.001) },
                "--out" => options with { OutDirectory = Value() },
                "--latency" => options with { Latency = TimeSpan.FromMilliseconds(Number("--latency", Value(), 0)) },
                "--bucket-capacity" => options with { BucketCapacity = (int)Number("--bucket-capacity", Value(), 1) },
                "--bucket-refill" => options with { BucketRefillPerSecond = Number("--bucket-refill", Value(), 0.001) },
                "--delete-bucket-refill" => options with { DeleteBucketRefillPerSecond = Number("--delete-bucket-refill", Value(), 0.001) },
                "--storage" => options with { StorageConnectionString = Value() },
                "--stock-azurite" => options with { StockAzurite = true },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }

        return options;
    }

    private static double Number(string option, string value, double minimum) =>
        double.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var number) && number >= minimum
            ? number
            : throw new ArgumentException($"{option} must be a number of at least {minimum}, not '{value}'.");
}

/// <summary>The population and workload of each scenario.</summary>
/// <param name="Live">Live assignments of the synced integration.</param>
/// <param name="Changed">Tickets changed before the incremental run (half resolved, half reassigned).</param>
/// <param name="Created">Assignments created through CreateAssignment.</param>
/// <param name="CreateCallers">Callers creating in parallel.</param>
/// <param name="Deleted">Live assignments of the integration that is deleted.</param>
/// <param name="NaiveSample">Assignments the naive strategy reads one by one; its time is scaled to <paramref name="Live"/>.</param>
public sealed record BenchmarkSizes(int Live, int Changed, int Created, int CreateCallers, int Deleted, int NaiveSample)
{
    public static BenchmarkSizes FullRun { get; } = new(100_000, 1_000, 1_000, 8, 20_000, 5_000);

    public static BenchmarkSizes QuickRun { get; } = FullRun.Scaled(0.05);

    public BenchmarkSizes Scaled(double share) => new(
        Part(Live, share), Part(Changed, share), Part(Created, share), CreateCallers, Part(Deleted, share), Part(NaiveSample, share));

    private static int Part(int size, double share) => Math.Max(2, (int)Math.Round(size * share));
}
