using System.Text.Json.Nodes;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Azure.Functions.Worker;

namespace DefenderSnow.Tests.Security;

/// <summary>
/// Every HTTP function is fed generated hostile input (property-based, FsCheck): no 5xx, no exception
/// escapes, every refusal is problem details (a 400 names at least one field), and a refused request
/// changes nothing that is stored. The seed is fixed for the normal suite;
/// <c>DEFENDERSNOW_FUZZ_SEED</c> and <c>DEFENDERSNOW_FUZZ_RUNS</c> (cases per function) change it for
/// longer local runs. A failure prints the shrunk input and the seed that replays it.
/// </summary>
public sealed class GeneratedInputTests : IUsesHarness
{
    private const ulong DefaultSeed = 20261128;
    private const int DefaultRuns = 200;

    private IntegrationHarness _harness = null!;
    private string _integrationId = null!;

    public static IEnumerable<TestCaseData> ProtectedFunctions() =>
        HttpFunctionCatalog.All.Where(f => f.Level != AuthorizationLevel.Anonymous).Select(f => new TestCaseData(f.Name).SetName($"{{m}}({f.Name})"));

    IntegrationHarness? IUsesHarness.Harness => _harness;

    [OneTimeSetUp]
    public async Task StartAppWithOneIntegration()
    {
        _harness = await IntegrationHarness.StartAsync();
        _integrationId = await _harness.CreateIntegrationAsync();
    }

    [TestCaseSource(nameof(ProtectedFunctions))]
    public void Hostile_input_is_refused_cleanly_and_changes_nothing(string name)
    {
        var function = HttpFunctionCatalog.Get(name);
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("DEFENDERSNOW_FUZZ_SEED"), out var s) ? s : DefaultSeed;
        var runs = int.TryParse(Environment.GetEnvironmentVariable("DEFENDERSNOW_FUZZ_RUNS"), out var r) ? r : DefaultRuns;
        var cases = Arb.From(CaseGenerator(function), Shrink);
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(runs)
            .WithReplay(new Replay(new Rnd(seed, 0x9E3779B97F4A7C15UL | 1), Microsoft.FSharp.Core.FSharpOption<int>.None))
            .WithName($"{name} (seed {seed})");

        Check.One(config, Prop.ForAll(cases, c => CheckAsync(function, c).GetAwaiter().GetResult()));
    }

    private Gen<FuzzCase> CaseGenerator(HttpFunction function)
    {
        var route = Gen.Frequency((3, Gen.Constant(_integrationId)), (1, Gen.Constant(Guid.NewGuid().ToString("N"))), (4, GeneratedInput.NastyString));
        var routes = Gen.ArrayOf(route, function.RouteParameters.Count);
        var body = function.Method is "POST" or "PATCH" or "PUT" ? GeneratedInput.Body(SeedBody(function.Name)) : Gen.Constant<string?>(null);
        var query = function.Method == "GET" ? GeneratedInput.Query : Gen.Constant(string.Empty);
        return routes.SelectMany(r => body.SelectMany(b => query.Select(q => new FuzzCase(function.Name, r, b, q))));
    }

    /// <summary>Simpler inputs first: no body change, no query, plain route values.</summary>
    private IEnumerable<FuzzCase> Shrink(FuzzCase c)
    {
        var seed = SeedBody(c.Function)?.ToJsonString();
        if (c.Body is not null && c.Body != seed)
        {
            yield return c with { Body = seed };
            if (c.Body.Length > 1)
            {
                yield return c with { Body = c.Body[..(c.Body.Length / 2)] };
            }
        }

        if (c.Query.Length > 0)
        {
            yield return c with { Query = string.Empty };
        }

        for (var i = 0; i < c.Route.Length; i++)
        {
            if (c.Route[i] != _integrationId)
            {
                var route = (string[])c.Route.Clone();
                route[i] = _integrationId;
                yield return c with { Route = route };
            }
        }
    }

    /// <summary>A valid request body of each function that takes one: mutations of it reach deep into the code.</summary>
    private JsonObject? SeedBody(string function) => function switch
    {
        "CreateIntegration" => JsonNode.Parse(FunctionCall.Json(_harness.ValidBody()))!.AsObject(),
        "UpdateIntegration" => new JsonObject { ["name"] = "renamed-" + Guid.NewGuid().ToString("N")[..6] },
        "CreateAssignment" => new JsonObject
        {
            ["integrationId"] = _integrationId,
            ["assessmentName"] = "4fb67663-9ab9-475d-b026-8c544cced439",
            ["resourceId"] = IntegrationHarness.SubscriptionScope + "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
            ["ticketType"] = "incident",
            ["assignedTo"] = "svc-defender@contoso.example",
            ["caller"] = IntegrationHarness.ServiceUser,
            ["remediationTimeframeDays"] = 30,
            ["gracePeriod"] = true,
            ["emailNotifications"] = new JsonObject { ["notifyOwner"] = true, ["notifyManager"] = false },
        },
        "UpdateAssignment" => new JsonObject { ["assignedTo"] = "svc-defender@contoso.example", ["remediationTimeframeDays"] = 10 },
        "RunSync" => new JsonObject { ["integrationId"] = _integrationId, ["full"] = false },
        _ => null,
    };

    private async Task<bool> CheckAsync(HttpFunction function, FuzzCase input)
    {
        var before = await StateSnapshot.TakeAsync(_harness.App);
        var response = await _harness.Record(HttpFunctionCatalog.InvokeAsync(_harness.App.Services, function, input.Route, input.Body, input.Query));

        if (response.Status >= 500)
        {
            throw new AssertionException($"{response.Status} for {input}: {response.Body}");
        }

        if (response.Status >= 400)
        {
            if (response.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) != true)
            {
                throw new AssertionException($"{response.Status} without problem details for {input}: {response.Body}");
            }

            if (response.Status == 400 && (response.Json["errors"] as JsonObject is not { Count: > 0 } errors || errors.Any(e => string.IsNullOrWhiteSpace(e.Key))))
            {
                throw new AssertionException($"400 naming no field for {input}: {response.Body}");
            }

            var after = await StateSnapshot.TakeAsync(_harness.App);
            if (after != before)
            {
                throw new AssertionException($"{response.Status} for {input}, yet the stored state changed:\n{before}\n---\n{after}");
            }
        }

        return true;
    }

    /// <summary>One generated request; printed as the falsifying input when a property fails.</summary>
    public sealed record FuzzCase(string Function, string[] Route, string? Body, string Query)
    {
        public override string ToString() =>
            $"{Function} route=[{string.Join(", ", Route.Select(Show))}] query={Show(Query)} body={(Body is null ? "(none)" : Show(Body))}";

        private static string Show(string value) => System.Text.Json.JsonSerializer.Serialize(value.Length > 300 ? value[..300] + $"…({value.Length} chars)" : value);
    }
}
