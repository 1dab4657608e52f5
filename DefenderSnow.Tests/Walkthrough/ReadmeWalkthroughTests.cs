using System.Text;
using System.Text.Json.Nodes;
using DefenderSnow.Core.Assignments;
using DefenderSnow.Core.Storage;
using DefenderSnow.Functions.Sync;
using DefenderSnow.Simulators.Hosting;
using DefenderSnow.Simulators.LocalRun;
using DefenderSnow.Tests.Infrastructure;

namespace DefenderSnow.Tests.Walkthrough;

/// <summary>
/// Runs the README's Walkthrough blocks, read from README.md, as a shell would: calls to the Functions host go to
/// the matching function, calls to the simulators' fixed ports go to this fixture's simulators, seeded by the
/// same <see cref="LocalDemoData"/> the simulators program uses, and <c>jq -r</c> captures are evaluated here.
/// </summary>
[TestFixture]
public sealed class ReadmeWalkthroughTests : IDisposable
{
    private static readonly int[] ShownThenGone = [1, 0];

    private const string FunctionsHostApi = "http://localhost:7071/api/";

    private TestApp _app = null!;
    private HttpClient _simulators = null!;
    private Dictionary<string, string> _fixedBaseUris = null!;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await TestApp.StartAsync();
        LocalDemoData.Seed(_app.ServiceNow, _app.ResourceManager.State);
        _simulators = new HttpClient(SimulatorHost.CreateTrustingHandler());
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

    /// <summary>NUnit calls it after <see cref="StopApp"/>.</summary>
    public void Dispose() => _simulators.Dispose();

    [Test]
    public async Task The_README_walkthrough_closes_the_assignment_and_removes_its_governance_assignment()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Azurite.RepositoryRoot(), "README.md"));
        var commands = ReadmeShell.BashBlocks(readme, "Walkthrough").SelectMany(ReadmeShell.Commands).ToList();
        var variables = new Dictionary<string, string>();
        var outputs = new List<(string Url, string Output)>();
        foreach (var command in commands)
        {
            var (url, output) = await RunAsync(command.Pipeline[0].Select(w => w.Expand(variables)).ToList());
            foreach (var stage in command.Pipeline.Skip(1))
            {
                output = Jq(stage.Select(w => w.Expand(variables)).ToList(), output, command.Text);
            }

            if (command.Assigns is { } name)
            {
                Assert.That(output, Is.Not.Empty.And.Not.EqualTo("null"), command.Text);
                variables[name] = output;
            }

            outputs.Add((url, output));
        }

        var governance = outputs.Where(o => o.Url.EndsWith("/_sim/arm/governanceAssignments", StringComparison.Ordinal)).Select(o => JsonNode.Parse(o.Output)!.AsArray().Count).ToList();
        Assert.That(governance, Is.EqualTo(ShownThenGone), "the walkthrough shows the governance assignment, then shows it gone");
        Assert.That(outputs.Select(o => o.Url), Has.Some.EndsWith("/_sim/servicenow/records/incident"));
        Assert.That(outputs.Select(o => o.Url), Has.Some.Contains("/_sim/servicenow/tickets/incident/").And.Some.EndsWith("/resolve"));

        var assignment = (await _app.Get<IAssignmentStore>().FindAsync(variables["ASSIGNMENT"], CancellationToken.None))!.Value;
        Assert.That(assignment.Status, Is.EqualTo(AssignmentStatus.Closed));
        Assert.That(assignment.ClosedReason, Is.EqualTo(ClosedReason.TicketResolved));
        Assert.That(_app.ResourceManager.State.GovernanceAssignments, Is.Empty);
        var run = await CallFunctionAsync("GET", FunctionsHostApi + "sync/runs/" + variables["RUN"], body: null, new Dictionary<string, string>());
        Assert.That(JsonNode.Parse(run)!["status"]!.GetValue<string>(), Is.EqualTo("succeeded"), run);
    }

    /// <summary>Runs <c>curl</c> (the flags the walkthrough uses) or <c>echo</c>; answers the URL called and the output.</summary>
    private async Task<(string Url, string Output)> RunAsync(List<string> words)
    {
        if (words[0] == "echo")
        {
            return (string.Empty, string.Join(' ', words.Skip(1)));
        }

        Assert.That(words[0], Is.EqualTo("curl"), "the walkthrough runs curl, jq and echo only");
        string? method = null, body = null, url = null;
        var headers = new Dictionary<string, string>();
        for (var i = 1; i < words.Count; i++)
        {
            switch (words[i])
            {
                case "-X":
                    method = words[++i];
                    break;
                case "-H":
                    var header = words[++i].Split(':', 2);
                    headers[header[0].Trim()] = header[1].Trim();
                    break;
                case "-d":
                    body = words[++i];
                    break;
                // Silent and, for the simulators' self-signed certificate, insecure: neither changes the output.
                case "-s" or "-sk" or "-ks" or "-k":
                    break;
                case var word when word.StartsWith("http", StringComparison.Ordinal) && url is null:
                    url = word;
                    break;
                case var other:
                    throw new FormatException($"The walkthrough test does not know curl's '{other}'.");
            }
        }

        Assert.That(url, Is.Not.Null, "curl without a URL");
        method ??= body is null ? "GET" : "POST";
        if (url!.StartsWith(FunctionsHostApi, StringComparison.Ordinal))
        {
            return (url, await CallFunctionAsync(method, url, body, headers));
        }

        var fixedBase = _fixedBaseUris.Keys.SingleOrDefault(b => url.StartsWith(b + "/", StringComparison.Ordinal))
            ?? throw new FormatException($"{url} is neither the Functions host nor a simulator.");
        using var request = new HttpRequestMessage(new HttpMethod(method), _fixedBaseUris[fixedBase] + url[fixedBase.Length..]);
        if (body is not null)
        {
            request.Content = new StringContent(MapFixedPorts(body), Encoding.UTF8, "application/json");
        }

        using var response = await _simulators.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, $"{method} {url}: {(int)response.StatusCode} {text}");
        return (url, text);
    }

    private async Task<string> CallFunctionAsync(string method, string url, string? body, IDictionary<string, string> headers)
    {
        var uri = new Uri(url);
        var segments = uri.AbsolutePath["/api/".Length..].Split('/');
        var matches = HttpFunctionCatalog.All
            .Where(f => f.Method == method)
            .Select(f => (Function: f, Values: RouteValues(f.Route, segments)))
            .Where(m => m.Values is not null)
            .ToList();
        Assert.That(matches, Has.Count.EqualTo(1), $"one function answers {method} {uri.AbsolutePath}");
        var (function, values) = matches[0];
        var response = await HttpFunctionCatalog.InvokeAsync(_app.Services, function, values!, body is null ? null : MapFixedPorts(body), uri.Query.TrimStart('?'), headers);
        Assert.That(response.Status, Is.InRange(200, 299), $"{method} {url}: {response}");
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

    private string MapFixedPorts(string text) =>
        _fixedBaseUris.Aggregate(text, (mapped, pair) => mapped.Replace(pair.Key, pair.Value, StringComparison.Ordinal));

    /// <summary><c>jq</c> (pretty-print) and <c>jq -r .a.b</c> (a member path, raw).</summary>
    private static string Jq(List<string> words, string input, string command)
    {
        Assert.That(words[0], Is.EqualTo("jq"), command);
        var json = JsonNode.Parse(input);
        if (words.Count == 1)
        {
            return input;
        }

        Assert.That(words, Has.Count.EqualTo(3).And.ItemAt(1).EqualTo("-r").And.ItemAt(2).StartWith("."), command);
        var node = words[2].Split('.', StringSplitOptions.RemoveEmptyEntries).Aggregate(json, (current, member) => current?[member]);
        return node switch
        {
            null => "null",
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            _ => node.ToJsonString(),
        };
    }
}
