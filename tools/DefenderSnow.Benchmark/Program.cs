using DefenderSnow.Benchmark;

// One command: dotnet run -c Release --project tools/DefenderSnow.Benchmark -- [--quick] [--out dir] (see --help).
if (args is [SimulatorServer.Argument])
{
    return await SimulatorServer.RunAsync(Console.In, Console.Out);
}

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(BenchmarkOptions.Usage);
    return 0;
}

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var results = await new BenchmarkRunner(options, Console.Out).RunAsync(cancel.Token);
Console.WriteLine();
Console.WriteLine(BenchmarkReport.Markdown(results, options));
var (markdown, json) = await BenchmarkReport.WriteAsync(results, options, cancel.Token);
Console.WriteLine($"Written: {markdown}, {json}");
return results.All(r => r.Completed) ? 0 : 1;
