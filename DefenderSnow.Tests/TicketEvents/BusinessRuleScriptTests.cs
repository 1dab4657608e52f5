using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using DefenderSnow.Core.TicketEvents;
using DefenderSnow.Tests.Infrastructure;

namespace DefenderSnow.Tests.TicketEvents;

/// <summary>
/// The business rule that ServiceNow runs (<c>servicenow/defendersnow-ticket-event.js</c>) run under Node with the Glide
/// APIs it calls stood in for: where it sends an event, and that DefenderSnow accepts its signature. The simulator's
/// <c>SimTicketEvents</c> claims to do what this script does; these tests hold the script itself.
/// </summary>
[TestFixture]
public sealed class BusinessRuleScriptTests
{
    private const string FirstId = "0f3c8d2a9b1e4f6a8c7d5e4b3a291807";
    private const string SecondId = "9a8b7c6d5e4f30211203948576afbecd";
    private const long Now = 1_764_336_000;
    private static readonly string[] StateOnly = ["state"];

    [Test]
    public async Task On_an_instance_with_one_integration_the_event_goes_to_its_url_signed_as_DefenderSnow_checks()
    {
        var result = await RunAsync(Unrouted(), createdBy: "svc-defender");

        var request = result.Sent.Single();
        Assert.That(request.Url, Is.EqualTo($"https://app.example/api/ticket-events/{FirstId}"));
        Assert.That(request.Verifies("first-secret"), Is.True, "signed with the integration's secret the way ReceiveTicketEvent checks");
        Assert.That(JsonNode.Parse(request.Body)!["changed_fields"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(StateOnly), "sys_ fields are never named");
    }

    [Test]
    public async Task With_routes_the_tickets_creator_picks_the_integration_whatever_the_case_of_the_name()
    {
        var properties = Unrouted();
        properties[TicketEventRouting.RoutesProperty] = $$"""{"svc-defender": "{{FirstId}}", "SVC-Defender-B": "{{SecondId}}"}""";
        properties[TicketEventRouting.UrlPropertyOf(FirstId)] = $"https://app.example/api/ticket-events/{FirstId}";
        properties[TicketEventRouting.SecretPropertyOf(FirstId)] = "first-secret";
        properties[TicketEventRouting.UrlPropertyOf(SecondId)] = $"https://app.example/api/ticket-events/{SecondId}";
        properties[TicketEventRouting.SecretPropertyOf(SecondId)] = "second-secret";

        var request = (await RunAsync(properties, createdBy: "svc-defender-b")).Sent.Single();

        Assert.That(request.Url, Is.EqualTo($"https://app.example/api/ticket-events/{SecondId}"));
        Assert.That(request.Verifies("second-secret"), Is.True);
        Assert.That(request.Verifies("first-secret"), Is.False);
    }

    [Test]
    public async Task A_creator_without_a_route_falls_back_to_the_single_integration_and_a_broken_routes_property_is_logged()
    {
        var properties = Unrouted();
        properties[TicketEventRouting.RoutesProperty] = $$"""{"svc-other": "{{SecondId}}"}""";
        Assert.That((await RunAsync(properties, createdBy: "svc-defender")).Sent.Single().Url, Does.EndWith(FirstId));

        properties[TicketEventRouting.RoutesProperty] = "{not json";
        var broken = await RunAsync(properties, createdBy: "svc-defender");
        Assert.That(broken.Sent.Single().Url, Does.EndWith(FirstId));
        Assert.That(broken.Errors.Single(), Does.Contain(TicketEventRouting.RoutesProperty));
    }

    [Test]
    public async Task Without_a_url_or_a_secret_for_the_route_nothing_is_sent()
    {
        var properties = new Dictionary<string, string>
        {
            [TicketEventRouting.RoutesProperty] = $$"""{"svc-defender": "{{SecondId}}"}""",
            [TicketEventRouting.UrlPropertyOf(SecondId)] = $"https://app.example/api/ticket-events/{SecondId}",
        };

        Assert.That((await RunAsync(properties, createdBy: "svc-defender")).Sent, Is.Empty);
    }

    private static Dictionary<string, string> Unrouted() => new()
    {
        [TicketEventRouting.UnroutedUrlProperty] = $"https://app.example/api/ticket-events/{FirstId}",
        [TicketEventRouting.UnroutedSecretProperty] = "first-secret",
    };

    private static async Task<RuleResult> RunAsync(Dictionary<string, string> properties, string createdBy)
    {
        var root = Azurite.RepositoryRoot();
        var scenario = new JsonObject
        {
            ["properties"] = new JsonObject(properties.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["nowUnixSeconds"] = Now,
            ["current"] = new JsonObject
            {
                ["table"] = "incident",
                ["changed"] = new JsonArray("state", "sys_updated_on"),
                ["values"] = new JsonObject
                {
                    ["sys_id"] = "46d44a5fa9fe198101b3f4f4b2c7e5a1",
                    ["state"] = "6",
                    ["correlation_id"] = "5b0c2e7f9a1d4c3b8e6f7a2d1c0b9e8f",
                    ["correlation_display"] = "DefenderSnow",
                    ["sys_created_by"] = createdBy,
                    ["sys_updated_on"] = "2026-12-07 10:00:00",
                },
            },
        };
        var scenarioPath = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"business-rule-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(scenarioPath, scenario.ToJsonString());
        try
        {
            var start = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(Path.Combine(root, "DefenderSnow.Tests", "TicketEvents", "BusinessRule", "run-business-rule.js"));
            start.ArgumentList.Add(Path.Combine(root, "servicenow", "defendersnow-ticket-event.js"));
            start.ArgumentList.Add(scenarioPath);
            using var node = Process.Start(start)!;
            var output = node.StandardOutput.ReadToEndAsync();
            var error = node.StandardError.ReadToEndAsync();
            await node.WaitForExitAsync();
            Assert.That(node.ExitCode, Is.Zero, await error);
            var json = JsonNode.Parse(await output)!;
            return new RuleResult(
                [.. json["sent"]!.AsArray().Select(r => new SentRequest(
                    r!["url"]!.GetValue<string>(),
                    r["body"]!.GetValue<string>(),
                    r["headers"]![TicketEventSignature.TimestampHeader]!.GetValue<string>(),
                    r["headers"]![TicketEventSignature.SignatureHeader]!.GetValue<string>()))],
                [.. json["errors"]!.AsArray().Select(e => e!.GetValue<string>())]);
        }
        finally
        {
            File.Delete(scenarioPath);
        }
    }

    private sealed record RuleResult(IReadOnlyList<SentRequest> Sent, IReadOnlyList<string> Errors);

    private sealed record SentRequest(string Url, string Body, string Timestamp, string Signature)
    {
        /// <summary>The check ReceiveTicketEvent makes, with the product's own code.</summary>
        public bool Verifies(string secret) =>
            TicketEventSignature.TryParseTimestamp(Timestamp, out var timestamp)
            && timestamp == Now
            && TicketEventSignature.TryDecode(Signature, out var mac)
            && TicketEventSignature.Matches(secret, timestamp, Encoding.UTF8.GetBytes(Body), mac);
    }
}
