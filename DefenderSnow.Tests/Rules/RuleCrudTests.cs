using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.Rules;

/// <summary>Rules are created, read, listed, changed and deleted through their functions; bad bodies change nothing.</summary>
[TestFixture]
public sealed class RuleCrudTests : IUsesHarness
{
    private SyncTestContext _context = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartApp() => _context = await SyncTestContext.StartAsync();

    [Test]
    public async Task A_rule_is_created_read_listed_changed_and_deleted()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _context.Rules.NewRecommendation();
        var body = RuleDriver.RuleBody(conditions: new Dictionary<string, object?>
        {
            ["assessmentNames"] = new[] { recommendation.ToUpperInvariant() },
            ["minimumSeverity"] = "medium",
            ["resourceType"] = RuleDriver.Vm,
            ["scope"] = subscription + "/resourceGroups/rg-rules/",
            ["tag"] = new Dictionary<string, object?> { ["name"] = "env", ["value"] = "prod" },
        });
        body["owner"] = new Dictionary<string, object?> { ["source"] = "resourceTag", ["tagName"] = "owner", ["fallbackUser"] = SyncDriver.OwnerB };
        body["grouping"] = "perResource";
        body["maxTicketsPerRun"] = 7;

        var created = await _context.Rules.CreateRuleAsync(integrationId, body);
        Assert.That(created.Status, Is.EqualTo(201), created.ToString());
        var id = created.Json["id"]!.GetValue<string>();
        Assert.That(created.Headers.Location.ToString(), Is.EqualTo($"/api/integrations/{integrationId}/rules/{id}"));
        var conditions = created.Json["conditions"]!;
        Assert.Multiple(() =>
        {
            Assert.That(conditions["assessmentNames"]![0]!.GetValue<string>(), Is.EqualTo(recommendation), "names are folded to lower case");
            Assert.That(conditions["minimumSeverity"]!.GetValue<string>(), Is.EqualTo("Medium"));
            Assert.That(conditions["scope"]!.GetValue<string>(), Is.EqualTo(subscription + "/resourceGroups/rg-rules"));
            Assert.That(conditions["tag"]!["value"]!.GetValue<string>(), Is.EqualTo("prod"));
            Assert.That(created.Json["owner"]!["source"]!.GetValue<string>(), Is.EqualTo("resourceTag"));
            Assert.That(created.Json["owner"]!["fallbackUser"]!.GetValue<string>(), Is.EqualTo(SyncDriver.OwnerB));
            Assert.That(created.Json["maxTicketsPerRun"]!.GetValue<int>(), Is.EqualTo(7));
            Assert.That(created.Json["emailNotifications"]!["notifyManager"]!.GetValue<bool>(), Is.True);
        });

        var read = await _context.Rules.GetRuleAsync(integrationId, id);
        Assert.That(read.Json.ToJsonString(), Is.EqualTo(created.Json.ToJsonString()));

        var second = await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation, priority: 5));
        var firstPage = await _context.Rules.ListRulesAsync(integrationId, "?top=1");
        Assert.That(firstPage.Status, Is.EqualTo(200), firstPage.ToString());
        Assert.That(firstPage.Json["value"]!.AsArray(), Has.Count.EqualTo(1));
        var next = new Uri(firstPage.Json["nextLink"]!.GetValue<string>());
        var secondPage = await _context.Rules.ListRulesAsync(integrationId, next.Query);
        Assert.That(
            firstPage.Json["value"]!.AsArray().Concat(secondPage.Json["value"]!.AsArray()).Select(r => r!["id"]!.GetValue<string>()),
            Is.EquivalentTo(new[] { id, second }));

        var changed = await _context.Rules.UpdateRuleAsync(integrationId, id, new { priority = 1, owner = new { source = "user", user = SyncDriver.OwnerBEmail } });
        Assert.That(changed.Status, Is.EqualTo(200), changed.ToString());
        Assert.That(changed.Json["priority"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(changed.Json["owner"]!["user"]!.GetValue<string>(), Is.EqualTo(SyncDriver.OwnerBEmail));
        Assert.That(changed.Json["owner"]!["tagName"], Is.Null, "the owner is replaced whole");
        Assert.That(changed.Json["conditions"]!["tag"]!["name"]!.GetValue<string>(), Is.EqualTo("env"), "members left out stay");

        var deleted = await _context.Rules.DeleteRuleAsync(integrationId, id);
        Assert.That(deleted.Status, Is.EqualTo(204), deleted.ToString());
        Assert.That((await _context.Rules.GetRuleAsync(integrationId, id)).Status, Is.EqualTo(404));
        Assert.That((await _context.Rules.DeleteRuleAsync(integrationId, id)).Status, Is.EqualTo(404));
    }

    [Test]
    public async Task Rules_of_another_integration_or_of_none_are_not_found()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: RuleDriver.NewSubscription());
        var other = await _context.Harness.CreateIntegrationAsync(scope: RuleDriver.NewSubscription());
        var id = await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody());
        Assert.Multiple(async () =>
        {
            Assert.That((await _context.Rules.GetRuleAsync(other, id)).Status, Is.EqualTo(404));
            Assert.That((await _context.Rules.GetRuleAsync(integrationId, "not-an-id")).Status, Is.EqualTo(404));
            Assert.That((await _context.Rules.ListRulesAsync(new string('0', 32))).Status, Is.EqualTo(404));
            Assert.That((await _context.Rules.EvaluateAsync(other, id)).Status, Is.EqualTo(404));
        });
    }

    [Test]
    public async Task Bad_bodies_are_refused_naming_the_field_and_nothing_is_stored()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _context.Rules.NewRecommendation();
        var cases = new (string Field, Action<Dictionary<string, object?>> Break)[]
        {
            ("conditions.minimumSeverity", b => b["conditions"] = new Dictionary<string, object?> { ["minimumSeverity"] = "Extreme" }),
            ("conditions.minimumRiskLevel", b => b["conditions"] = new Dictionary<string, object?> { ["minimumRiskLevel"] = "None" }),
            ("conditions.riskFactor", b => b["conditions"] = new Dictionary<string, object?> { ["riskFactor"] = " " }),
            ("conditions.scope", b => b["conditions"] = new Dictionary<string, object?> { ["scope"] = RuleDriver.NewSubscription() + "/resourceGroups/rg" }),
            ("conditions.scope", b => b["conditions"] = new Dictionary<string, object?> { ["scope"] = "not an id" }),
            ("conditions.resourceType", b => b["conditions"] = new Dictionary<string, object?> { ["resourceType"] = "virtualMachines" }),
            ("conditions.assessmentNames[1]", b => b["conditions"] = new Dictionary<string, object?> { ["assessmentNames"] = new[] { recommendation, Guid.NewGuid().ToString("D") } }),
            ("conditions.assessmentNames[0]", b => b["conditions"] = new Dictionary<string, object?> { ["assessmentNames"] = new[] { "../x" } }),
            ("conditions.tag.value", b => b["conditions"] = new Dictionary<string, object?> { ["tag"] = new Dictionary<string, object?> { ["name"] = "env" } }),
            ("owner.fallbackUser", b => b["owner"] = new Dictionary<string, object?> { ["source"] = "resourceTag", ["tagName"] = "owner" }),
            ("owner.user", b => b["owner"] = new Dictionary<string, object?> { ["source"] = "resourceTag", ["tagName"] = "owner", ["fallbackUser"] = SyncDriver.OwnerA, ["user"] = SyncDriver.OwnerA }),
            ("owner.source", b => b["owner"] = new Dictionary<string, object?> { ["source"] = "manager" }),
            ("owner.user", b => b["owner"] = new Dictionary<string, object?> { ["source"] = "user", ["user"] = "nobody@contoso.example" }),
            ("owner.user", b => b["owner"] = new Dictionary<string, object?> { ["source"] = "user", ["user"] = SyncDriver.NoEmailUser }),
            ("owner.fallbackUser", b => b["owner"] = new Dictionary<string, object?> { ["source"] = "resourceTag", ["tagName"] = "owner", ["fallbackUser"] = "ghost" }),
            ("caller", b => b["caller"] = "ghost"),
            ("caller", b => b.Remove("caller")),
            ("priority", b => b["priority"] = 0),
            ("remediationTimeframeDays", b => b["remediationTimeframeDays"] = 400),
            ("ticketType", b => b["ticketType"] = "task"),
            ("grouping", b => b["grouping"] = "perTicket"),
            ("maxTicketsPerRun", b => b["maxTicketsPerRun"] = 0),
            ("owner", b => b.Remove("owner")),
            ("conditions.colour", b => b["conditions"] = new Dictionary<string, object?> { ["colour"] = "red" }),
        };

        var before = await StateSnapshot.TakeAsync(_context.Harness.App);
        foreach (var (field, breakIt) in cases)
        {
            var body = RuleDriver.RuleBody(recommendation);
            breakIt(body);
            var response = await _context.Rules.CreateRuleAsync(integrationId, body);
            Assert.That(response.Status, Is.EqualTo(400), $"{field}: {response}");
            Assert.That(response.ContentType, Does.StartWith("application/problem+json"));
            Assert.That(response.Json["errors"]!.AsObject().Select(e => e.Key), Does.Contain(field), response.ToString());
        }

        Assert.That(await StateSnapshot.TakeAsync(_context.Harness.App), Is.EqualTo(before), "a refused rule leaves nothing anywhere");
        Assert.That((await _context.Rules.ListRulesAsync(integrationId)).Json["value"]!.AsArray(), Is.Empty);

        var id = await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation));
        var unchanged = (await _context.Rules.GetRuleAsync(integrationId, id)).Json.ToJsonString();
        var refused = await _context.Rules.UpdateRuleAsync(integrationId, id, new { conditions = new { scope = RuleDriver.NewSubscription() } });
        Assert.That(refused.Status, Is.EqualTo(400), refused.ToString());
        Assert.That((await _context.Rules.UpdateRuleAsync(integrationId, id, new { })).Status, Is.EqualTo(400), "an empty change");
        Assert.That((await _context.Rules.GetRuleAsync(integrationId, id)).Json.ToJsonString(), Is.EqualTo(unchanged));
    }

    [Test]
    public async Task Deleting_the_integration_deletes_its_rules()
    {
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: RuleDriver.NewSubscription());
        await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody());
        await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody());
        Assert.That((await _context.Harness.DeleteAsync(integrationId)).Status, Is.EqualTo(204));
        var rows = await _context.Harness.App.Get<DefenderSnow.Core.Storage.TableClientProvider>().GetAsync(DefenderSnow.Core.Storage.Table.Rules, CancellationToken.None);
        var left = 0;
        await foreach (var _ in rows.QueryAsync<Azure.Data.Tables.TableEntity>(e => e.PartitionKey == integrationId))
        {
            left++;
        }

        Assert.That(left, Is.Zero, "rule rows of the deleted integration");
    }
}
