using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.Rules;

/// <summary>An integration's rules are capped (issue 26, item 6): each one costs Defender reads in every sync run.</summary>
[TestFixture]
public sealed class RuleLimitTests
{
    private SyncTestContext _context = null!;

    [OneTimeSetUp]
    public async Task StartAppWithACapOfTwo() =>
        _context = await SyncTestContext.StartAsync(settings => settings["Rules:MaxPerIntegration"] = "2");

    [OneTimeTearDown]
    public async Task StopApp() => await _context.Harness.DisposeAsync();

    [Test]
    public async Task A_rule_beyond_the_cap_is_refused_with_422_naming_the_field_and_nothing_is_stored()
    {
        var context = _context;
        var integrationId = await context.Harness.CreateIntegrationAsync(scope: RuleDriver.NewSubscription());
        var recommendation = context.Rules.NewRecommendation();
        await context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation));
        await context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation));

        var third = await context.Rules.CreateRuleAsync(integrationId, RuleDriver.RuleBody(recommendation));
        var listed = await context.Rules.ListRulesAsync(integrationId);

        Assert.Multiple(() =>
        {
            Assert.That(third.Status, Is.EqualTo(422), third.ToString());
            Assert.That(third.Json["errors"]?["integrationId"], Is.Not.Null, third.ToString());
            Assert.That(third.Body, Does.Contain("Rules:MaxPerIntegration"));
            Assert.That(listed.Json["value"]!.AsArray(), Has.Count.EqualTo(2));
        });
    }
}
