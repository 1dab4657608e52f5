using DefenderSnow.Simulators.ServiceNow;
using DefenderSnow.Tests.Infrastructure;
using DefenderSnow.Tests.Integrations;
using DefenderSnow.Tests.Sync;

namespace DefenderSnow.Tests.Rules;

/// <summary>
/// Tickets the rules open are linked to the resource's configuration item: the <c>cmdb_ci</c> whose <c>object_id</c> is
/// the Azure resource id (issue 25 item 5), looked up for all of a run's findings in one query, ignoring case.
/// </summary>
[TestFixture]
public sealed class ConfigurationItemTests : IUsesHarness
{
    private const string CmdbRead = "GET /api/now/table/cmdb_ci";

    private SyncTestContext _context = null!;

    IntegrationHarness? IUsesHarness.Harness => _context?.Harness;

    [OneTimeSetUp]
    public async Task StartApp() => _context = await SyncTestContext.StartAsync();

    [Test]
    public async Task A_run_links_each_ticket_to_its_resources_CI_with_one_query_and_counts_the_resources_without_one()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _context.Rules.NewRecommendation();
        var upper = _context.Rules.SeedFinding(subscription, recommendation);
        var exact = _context.Rules.SeedFinding(subscription, recommendation);
        var without = _context.Rules.SeedFinding(subscription, recommendation);
        var serviceNow = _context.Harness.App.ServiceNow;

        // The connector may write the id in another case than Defender does; Azure resource ids ignore case.
        var upperCi = serviceNow.SeedConfigurationItem("vm-upper", upper.ToUpperInvariant());
        var exactCi = serviceNow.SeedConfigurationItem("vm-exact", exact);
        serviceNow.SeedConfigurationItem("vm-elsewhere", RuleDriver.NewSubscription() + "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm");
        await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation));
        serviceNow.ResetRequestCounts();

        var run = await _context.Sync.SyncAsync(integrationId);

        var part = run["integrations"]![0]!;
        Assert.That(part["ruleTicketsOpened"]!.GetValue<int>(), Is.EqualTo(3), run.ToJsonString());
        Assert.That(serviceNow.RequestCount(CmdbRead), Is.EqualTo(1), string.Join(", ", serviceNow.RequestCounts));
        Assert.That(part["configurationItemsNotFound"]!.GetValue<int>(), Is.EqualTo(1), run.ToJsonString());
        var linked = (await _context.Rules.StoredAssignmentsAsync(integrationId))
            .ToDictionary(a => a.ResourceId, a => serviceNow.GetRecord(a.Ticket.Table, a.Ticket.SysId!)!["cmdb_ci"]);
        Assert.That(linked, Is.EquivalentTo(new Dictionary<string, string> { [upper] = upperCi, [exact] = exactCi, [without] = string.Empty }));

        // Nothing new to open: the next run asks for no CI.
        var next = await _context.Sync.SyncAsync(integrationId);
        Assert.That(next["integrations"]![0]!["configurationItemsNotFound"]!.GetValue<int>(), Is.EqualTo(0), next.ToJsonString());
        Assert.That(serviceNow.RequestCount(CmdbRead), Is.EqualTo(1));
    }

    [Test]
    public async Task A_user_who_may_not_read_cmdb_ci_gets_its_tickets_without_a_CI_counted_and_no_error()
    {
        var subscription = RuleDriver.NewSubscription();
        var integrationId = await _context.Harness.CreateIntegrationAsync(scope: subscription);
        var recommendation = _context.Rules.NewRecommendation();
        var resource = _context.Rules.SeedFinding(subscription, recommendation);
        var serviceNow = _context.Harness.App.ServiceNow;
        serviceNow.SeedConfigurationItem("vm-hidden", resource);
        await _context.Rules.CreateRuleIdAsync(integrationId, RuleDriver.RuleBody(recommendation));
        serviceNow.Deny(IntegrationHarness.ServiceUser, "cmdb_ci", ServiceNowTableOperation.Read);
        try
        {
            var run = await _context.Sync.SyncAsync(integrationId);

            var part = run["integrations"]![0]!;
            Assert.That((part["ruleTicketsOpened"]!.GetValue<int>(), part["configurationItemsNotFound"]!.GetValue<int>()), Is.EqualTo((1, 1)), run.ToJsonString());
            Assert.That(part["errors"]!.AsArray(), Is.Empty, run.ToJsonString());
            var assignment = (await _context.Rules.StoredAssignmentsAsync(integrationId)).Single();
            Assert.That(serviceNow.GetRecord(assignment.Ticket.Table, assignment.Ticket.SysId!)!["cmdb_ci"], Is.Empty);
        }
        finally
        {
            serviceNow.Allow(IntegrationHarness.ServiceUser, "cmdb_ci", ServiceNowTableOperation.Read);
        }
    }
}
