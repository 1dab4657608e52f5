using System.Text.Json.Nodes;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Storage;
using DefenderSnow.Functions.Sync;
using DefenderSnow.Simulators.LocalRun;
using DefenderSnow.Tests.Infrastructure;

namespace DefenderSnow.Tests.Walkthrough;

/// <summary>
/// Runs the README's Walkthrough blocks (<see cref="WalkthroughRun"/>) against the in-process host, as against
/// <c>func start</c>: any function key is let through; the simulators are this fixture's, seeded by the same
/// <see cref="LocalDemoData"/> the simulators program uses. <c>RealHostTests</c> runs the same blocks under the
/// real host, with the key.
/// </summary>
[TestFixture]
public sealed class ReadmeWalkthroughTests
{
    private static readonly int[] ShownThenGone = [1, 0];

    private TestApp _app = null!;
    private Dictionary<string, string> _fixedBaseUris = null!;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await TestApp.StartAsync();
        LocalDemoData.Seed(_app.ServiceNow, _app.ResourceManager.State);
        // The ports run-local.sh gives the simulators (local.settings.sample.json points at them).
        _fixedBaseUris = new Dictionary<string, string>
        {
            ["https://127.0.0.1:7443"] = _app.ServiceNow.BaseUri.AbsoluteUri.TrimEnd('/'),
            ["https://127.0.0.1:7444"] = _app.ResourceManager.BaseUri.AbsoluteUri.TrimEnd('/'),
            ["https://127.0.0.1:7445"] = _app.KeyVault.BaseUri.AbsoluteUri.TrimEnd('/'),
        };
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [Test]
    public async Task The_README_walkthrough_closes_the_assignment_and_removes_its_governance_assignment()
    {
        using var walkthrough = new WalkthroughRun(_fixedBaseUris, CallFunctionAsync);
        // As with func start, which checks no keys: whatever the reader sets is let through.
        walkthrough.Variables[WalkthroughRun.FunctionKeyVariable] = "any-value-func-start-ignores";
        await walkthrough.RunAsync();
        var (outputs, variables) = (walkthrough.Outputs, walkthrough.Variables);

        var governance = outputs.Where(o => o.Url.EndsWith("/_sim/arm/governanceAssignments", StringComparison.Ordinal)).Select(o => JsonNode.Parse(o.Output)!.AsArray().Count).ToList();
        Assert.That(governance, Is.EqualTo(ShownThenGone), "the walkthrough shows the governance assignment, then shows it gone");
        Assert.That(outputs.Select(o => o.Url), Has.Some.EndsWith("/_sim/servicenow/records/incident"));
        Assert.That(outputs.Select(o => o.Url), Has.Some.Contains("/_sim/servicenow/tickets/incident/").And.Some.EndsWith("/resolve"));

        var assignment = (await _app.Get<IAssignmentStore>().FindAsync(variables["ASSIGNMENT"], CancellationToken.None))!.Value;
        Assert.That(assignment.Status, Is.EqualTo(AssignmentStatus.Closed));
        Assert.That(assignment.ClosedReason, Is.EqualTo(ClosedReason.TicketResolved));
        Assert.That(_app.ResourceManager.State.GovernanceAssignments, Is.Empty);
        var run = await CallFunctionAsync(new FunctionsHostCall("GET", new Uri(WalkthroughRun.FunctionsHostApi + "sync/runs/" + variables["RUN"]), Body: null, new Dictionary<string, string>()));
        Assert.That(JsonNode.Parse(run)!["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run);
    }

    private async Task<string> CallFunctionAsync(FunctionsHostCall call)
    {
        var (method, uri) = (call.Method, call.Url);
        var segments = uri.AbsolutePath["/api/".Length..].Split('/');
        var matches = HttpFunctionCatalog.All
            .Where(f => f.Method == method)
            .Select(f => (Function: f, Values: RouteValues(f.Route, segments)))
            .Where(m => m.Values is not null)
            .ToList();
        Assert.That(matches, Has.Count.EqualTo(1), $"one function answers {method} {uri.AbsolutePath}");
        var (function, values) = matches[0];
        var response = await HttpFunctionCatalog.InvokeAsync(_app.Services, function, values!, call.Body, uri.Query.TrimStart('?'), new Dictionary<string, string>(call.Headers));
        Assert.That(response.Status, Is.InRange(200, 299), $"{method} {uri}: {response}");
        if (function.Name == "RunSync")
        {
            // The host would hand the queued work to SyncIntegration; the walkthrough's next read sees it done.
            Assert.That(response.Headers.Location.ToString(), Is.EqualTo("/api/sync/runs/" + response.Json["runId"]!.GetValue<string>()));
            var sync = _app.Function<SyncFunctions>();
            Assert.That(await _app.Queues.DrainAsync(WorkQueue.SyncIntegrations, m => sync.SyncIntegration(m, CancellationToken.None)), Is.GreaterThan(0));
        }

        return response.Body;
    }

    /// <summary>The values of <paramref name="template"/>'s parameters in <paramref name="segments"/>, or null when it does not match.</summary>
    private static List<string>? RouteValues(string template, string[] segments)
    {
        var parts = template.Split('/');
        if (parts.Length != segments.Length)
        {
            return null;
        }

        var values = new List<string>();
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].StartsWith('{') && parts[i].EndsWith('}'))
            {
                values.Add(Uri.UnescapeDataString(segments[i]));
            }
            else if (!string.Equals(parts[i], segments[i], StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
        }

        return values;
    }
}
