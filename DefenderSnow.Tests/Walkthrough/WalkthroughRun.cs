using System.Text;
using System.Text.Json.Nodes;
using DefenderSnow.Simulators.Hosting;

namespace DefenderSnow.Tests.Walkthrough;

/// <summary>A call the walkthrough makes to the Functions host, and what the host it runs against answers.</summary>
public sealed record FunctionsHostCall(string Method, Uri Url, string? Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// Runs the README's Walkthrough blocks, read from README.md, as a shell would: calls to the Functions host go to the
/// host the test gives (in process or the real one), calls to the simulators' fixed ports go to the test's
/// simulators, and <c>jq -r</c> captures are evaluated here. The test sets the variables the README asks the reader
/// to set (the function key).
/// </summary>
public sealed class WalkthroughRun : IDisposable
{
    public const string FunctionsHostApi = "http://localhost:7071/api/";

    /// <summary>The variable the README's calls send as <c>x-functions-key</c>.</summary>
    public const string FunctionKeyVariable = "FUNCTION_KEY";

    private readonly IReadOnlyDictionary<string, string> _fixedBaseUris;
    private readonly Func<FunctionsHostCall, Task<string>> _callFunctionsHost;
    private readonly HttpClient _simulators = new(SimulatorHost.CreateTrustingHandler());

    public WalkthroughRun(IReadOnlyDictionary<string, string> fixedBaseUris, Func<FunctionsHostCall, Task<string>> callFunctionsHost)
    {
        _fixedBaseUris = fixedBaseUris;
        _callFunctionsHost = callFunctionsHost;
    }

    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>Each call's URL (empty for <c>echo</c>) and output, in order.</summary>
    public List<(string Url, string Output)> Outputs { get; } = [];

    public async Task RunAsync()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Infrastructure.Azurite.RepositoryRoot(), "README.md"));
        var commands = ReadmeShell.BashBlocks(readme, "Walkthrough").SelectMany(ReadmeShell.Commands).ToList();
        foreach (var command in commands)
        {
            var (url, output) = await RunAsync(command.Pipeline[0].Select(w => w.Expand(Variables)).ToList());
            foreach (var stage in command.Pipeline.Skip(1))
            {
                output = Jq(stage.Select(w => w.Expand(Variables)).ToList(), output, command.Text);
            }

            if (command.Assigns is { } name)
            {
                Assert.That(output, Is.Not.Empty.And.Not.EqualTo("null"), command.Text);
                Variables[name] = output;
            }

            Outputs.Add((url, output));
        }
    }

    /// <summary>The sample's fixed simulator base URIs replaced by the test's.</summary>
    public string MapFixedPorts(string text) =>
        _fixedBaseUris.Aggregate(text, (mapped, pair) => mapped.Replace(pair.Key, pair.Value, StringComparison.Ordinal));

    public void Dispose() => _simulators.Dispose();

    /// <summary>Runs <c>curl</c> (the flags the walkthrough uses) or <c>echo</c>; answers the URL called and the output.</summary>
    private async Task<(string Url, string Output)> RunAsync(List<string> words)
    {
        if (words[0] == "echo")
        {
            return (string.Empty, string.Join(' ', words.Skip(1)));
        }

        Assert.That(words[0], Is.EqualTo("curl"), "the walkthrough runs curl, jq and echo only");
        string? method = null, body = null, url = null;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
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
            return (url, await _callFunctionsHost(new FunctionsHostCall(method, new Uri(url), body is null ? null : MapFixedPorts(body), headers)));
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
